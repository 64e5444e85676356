#!/usr/bin/env python3
"""Writes resources/presets/recipe-<name>-<arch>-n<N>-l<L>.json: every published reproduction's
recipe (SPEC §8 table) at the sizes it published, and corrects the arledge-* family (cosine per
step to 0 without warm-up; the Transformer's attention dropout 0.1 and xavier qkv).

Run from the repository root after changing the table; the presets are the data the engine reads.
"""
import json
import pathlib

PRESETS = pathlib.Path(__file__).resolve().parent.parent / "resources" / "presets"
ALL = [1, 2, 4, 8, 12, 16]
REPEATED = [1, 1, 2, 2, 4, 4, 8, 8, 12, 12, 16, 16]

# name: (description, sizes [(N, L, batch)], archs, model, data, train)
RECIPES = {
    "paper": (
        "the paper (arXiv 2512.19428): post-LN, every offset in every layer; training not given, "
        "so the reference's (lr 6e-4, warm-up 100, cosine to 6e-5), 30 epochs",
        [(6, 128, 32), (12, 256, 16)], ["grassmann", "transformer"],
        {"norm": "post"},
        {"tokenizer": "bert", "targets": "shift"},
        {"epochs": 30, "lr": 6e-4, "min_lr": 6e-5, "warmup_steps": 100, "warmup_from": "one",
         "schedule": "cosine", "clip": 1.0}),
    "reference": (
        "the reference reproduction (alphaXiv): pre-LN with 3 LayerNorms a Grassmann block, "
        "every offset in every layer, lr 6e-4 warm-up 100 cosine to 6e-5, 20 epochs, bf16 on a GPU",
        [(6, 128, 32), (6, 256, 16), (12, 128, 32), (12, 256, 16)], ["grassmann", "transformer"],
        {"norm": "pre"},
        {"tokenizer": "bert", "targets": "shift"},
        {"epochs": 20, "lr": 6e-4, "min_lr": 6e-5, "warmup_steps": 100, "warmup_from": "one",
         "schedule": "cosine", "clip": 1.0}),
    "arledge": (
        "Arledge's reproduction: GPT-2 tokens of the non-empty rows, pre-LN, Transformer with 8 "
        "heads, attention dropout 0.1 and xavier qkv, lr 3e-4 cosine per step to 0 without "
        "warm-up, 20 epochs, fp32",
        [(6, 256, 32)], ["grassmann", "transformer"],
        {"norm": "pre"},
        {"tokenizer": "gpt2", "gpt2_rows": "nonempty", "targets": "shift"},
        {"epochs": 20, "lr": 3e-4, "min_lr": 0.0, "warmup_steps": 0, "schedule": "cosine",
         "clip": 1.0, "precision": "fp32"}),
    "kanenorman": (
        "kanenorman/grassmann: LN(h + Drop(Mix h)) blocks, gate-only mixer, mean of the Plücker "
        "vectors before one projection, PyTorch's default initialisation, chunks of L + 1, lr 1e-3 "
        "cosine over epochs to 0, no clipping, 30 epochs, fp32, validation as a mean of batches",
        [(6, 128, 32)], ["grassmann", "transformer"],
        {"norm": "post_residual", "ffn_dropout": "outer", "mix_output": "gate_only",
         "offset_mean": "mean_then_project", "plucker_eps": 1e-6, "init": "torch_default"},
        {"tokenizer": "bert", "targets": "next"},
        {"epochs": 30, "lr": 1e-3, "min_lr": 0.0, "warmup_steps": 0,
         "schedule": "cosine_epochwise", "clip": 0.0, "precision": "fp32", "eval_mean": "batches"}),
    "youdie6": (
        "youdie006/grassmann, 6 layers: the paper's post-LN block, FFN dropout outside, mean of "
        "the Plücker vectors before one projection, PyTorch's default initialisation, chunks of "
        "L + 1, lr 1e-3 cosine per step to 0, 30 epochs, bf16 on a GPU (theirs: fp16)",
        [(6, 128, 32)], ["grassmann", "transformer"],
        {"norm": "post", "ffn_dropout": "outer", "offset_mean": "mean_then_project",
         "plucker_eps": 1e-6, "init": "torch_default"},
        {"tokenizer": "bert", "targets": "next"},
        {"epochs": 30, "lr": 1e-3, "min_lr": 0.0, "warmup_steps": 0, "schedule": "cosine",
         "clip": 1.0, "eval_mean": "batches"}),
    "youdie12": (
        "youdie006/grassmann, 12 layers (where Grassmann wins): pre-LN without the mixer's "
        "LayerNorm, one offset per layer, mean of the Plücker vectors before one projection, "
        "chunks of L + 1, lr 1e-3 cosine per step to 0, 30 epochs, bf16 on a GPU",
        [(12, 256, 16)], ["grassmann", "transformer"],
        {"norm": "pre_plain", "ffn_dropout": "outer", "offset_mean": "mean_then_project",
         "plucker_eps": 1e-6, "init": "normal", "window_mode": "per_layer"},
        {"tokenizer": "bert", "targets": "next"},
        {"epochs": 30, "lr": 1e-3, "min_lr": 0.0, "warmup_steps": 0, "schedule": "cosine",
         "clip": 1.0, "eval_mean": "batches"}),
    "grasslm": (
        "adriansimonn/GrassLM: post-LN, one offset per layer, chunks of L + 1 with the last "
        "partial batch dropped, AdamW betas (0.9, 0.98), lr 3e-4 warm-up 2000 from 0 then cosine "
        "to 0, 30 epochs, fp32 (Grassmann only)",
        [(6, 128, 32)], ["grassmann"],
        {"norm": "post", "ffn_dropout": "outer", "window_mode": "per_layer"},
        {"tokenizer": "bert", "targets": "next"},
        {"epochs": 30, "lr": 3e-4, "min_lr": 0.0, "warmup_steps": 2000, "warmup_from": "zero",
         "schedule": "cosine", "betas": [0.9, 0.98], "clip": 1.0, "precision": "fp32",
         "drop_last": True}),
}

GRASSMANN_ONLY = {"mix_output", "offset_mean", "plucker_eps", "window_mode"}


def windows(name, n_layers):
    if n_layers == 12 and name in ("paper", "reference", "youdie12"):
        return REPEATED
    return ALL


def write(path, preset):
    text = json.dumps(preset, indent=2, ensure_ascii=False)
    # Offset lists on one line, as the other presets write them.
    text = text.replace("[\n      ", "[").replace(",\n      ", ", ").replace("\n    ]", "]")
    path.write_text(text + "\n")


def main():
    for name, (about, sizes, archs, model, data, train) in RECIPES.items():
        for n_layers, seq_len, batch in sizes:
            for arch in archs:
                m = {"arch": arch, "n_layers": n_layers}
                for key, value in model.items():
                    if arch == "transformer" and key in GRASSMANN_ONLY:
                        continue
                    m[key] = value
                if arch == "grassmann":
                    m["windows"] = windows(name, n_layers)
                if name == "arledge" and arch == "transformer":
                    m.update({"heads": 8, "attn_dropout": 0.1, "init": "normal_xavier_qkv"})
                preset = {
                    "name": f"recipe-{name}-{arch}-n{n_layers}-l{seq_len}",
                    "description": f"Recipe {name}, {arch}, N={n_layers}, L={seq_len}: {about} "
                                   "(SPEC §8)",
                    "recipe": name,
                    "model": m,
                    "data": {"task": "wikitext2", **data, "seq_len": seq_len, "format": "auto"},
                    "train": {**train, "batch_size": batch},
                }
                write(PRESETS / f"{preset['name']}.json", preset)

    # The arledge-* family: his code steps the cosine every batch to 0 without warm-up; his
    # Transformer has attention dropout 0.1 and a xavier qkv (8 heads, as before).
    for path in sorted(PRESETS.glob("arledge-*.json")):
        preset = json.loads(path.read_text())
        preset["train"].update({"warmup_steps": 0, "schedule": "cosine", "min_lr": 0.0})
        if preset["model"]["arch"] == "transformer":
            preset["model"].update({"attn_dropout": 0.1, "init": "normal_xavier_qkv"})
        preset["description"] = preset["description"].replace(
            "lr 3e-4 cosine to 0 per epoch", "lr 3e-4 cosine per step to 0 without warm-up")
        if preset["model"]["arch"] == "transformer" and "attention dropout" not in preset["description"]:
            preset["description"] = preset["description"].replace(
                "8 heads", "8 heads with attention dropout 0.1 and xavier qkv")
        write(path, preset)


if __name__ == "__main__":
    main()
