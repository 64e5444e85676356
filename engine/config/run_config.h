// The run configuration of ARCHITECTURE.md and CONTRACTS.md as plain data, one comment per field,
// with strict parsing (unknown keys and wrong types are InputErrors naming the key), `--set`
// overrides, resolution of derived values, and validation of impossible combinations. Torch-free:
// the GUI's set-up panel validates with exactly this code.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace gwb {

/// SPEC §1-2. Keys of the other architecture are kept (the GUI keeps both while switching).
struct ModelConfig {
  std::string arch = "grassmann";  ///< "grassmann" or "transformer"
  std::int64_t vocab_size = 0;     ///< 0: the tokenizer's vocabulary size
  std::int64_t max_len = 0;        ///< rows of the position embedding; 0: data.seq_len
  std::int64_t d_model = 256;      ///< hidden size d
  std::int64_t n_layers = 6;       ///< blocks N
  std::int64_t d_ff = 1024;        ///< FFN inner size (4d)
  double dropout = 0.1;            ///< embedding, mixing/attention output and FFN dropout
  /// Block form (SPEC §8): "pre" (reference), "post" (paper text), "pre_plain" (no LayerNorm inside
  /// the mixer), "post_residual" (LN(h + Drop(Mix h))); Transformers: pre/pre_plain are pre-LN,
  /// post/post_residual post-LN.
  std::string norm = "pre";
  std::string ffn_dropout = "inner";  ///< "inner" (after GELU and W2) or "outer" (after W2 only)
  /// "normal" (N(0, 0.02)), "torch_default" (PyTorch's module defaults) or "normal_xavier_qkv"
  /// (normal, the Transformer's fused qkv xavier_uniform with bias 0).
  std::string init = "normal";
  bool tie_embeddings = true;  ///< output head shares the token embedding
  // Transformer
  std::int64_t heads = 4;   ///< attention heads (the reference README says 8)
  double attn_dropout = 0;  ///< dropout on the attention probabilities (training only)
  // Grassmann
  std::int64_t r = 32;  ///< reduced dimension; r(r-1)/2 Plücker coords
  std::vector<std::int64_t> windows = {1, 2, 4, 8, 12, 16};  ///< offsets delta
  std::string window_mode =
      "all";  ///< "all": every layer uses all; "per_layer": layer l uses windows[l]
  bool normalize_plucker = true;     ///< p / max(|p|, plucker_eps)
  double plucker_eps = 1e-8;         ///< normalisation floor and degeneracy threshold
  std::string pairing = "past";      ///< "past" (causal) or "future_leaky" (paper-literal, leaks)
  std::string mix_output = "blend";  ///< "blend": alpha h + (1 - alpha) g; "gate_only": alpha g
  /// "project_then_mean" (mean of W p_hat + b; 0 where no offset is valid) or "mean_then_project"
  /// (W mean(p_hat) + b; b where none is valid).
  std::string offset_mean = "project_then_mean";
  bool mix_proj = false;  ///< Linear(d, d) on the mixer's output (inferred from the paper's counts)
  // Classification (data.task snli, SPEC §7)
  std::string pooling = "mean";   ///< "mean" (masked), "cls" (first position), "last" (last token)
  bool bidirectional = false;     ///< attend and pair both ways; refused for wikitext2
  std::string backbone = "none";  ///< "none" (from scratch) or "distilbert" (frozen, §7.3)
  std::string backbone_dir;       ///< DistilBERT folder; "": the data manager's copy
  std::int64_t backbone_dim = 0;  ///< feature width without a loaded backbone; 0: its own
  std::string head_variant = "paper";  ///< "paper" or "reference" (degenerate, Plücker(z, z) = 0)
  std::int64_t head_d_model = 256;     ///< the head's width after Linear(backbone_dim, d)
  std::int64_t head_layers = 2;        ///< the head's blocks
  std::int64_t head_d_ff = 512;        ///< the head's FFN width
  std::int64_t head_heads = 4;         ///< attention heads of the Transformer head
  std::int64_t head_r = 64;            ///< d_proj of the Grassmann head
  std::int64_t head_window = 8;        ///< tokens per window of the paper's Grassmann head
  std::int64_t head_stride = 8;        ///< a window starts every head_stride tokens
  std::int64_t head_groups = 1;        ///< channel groups with a Plücker vector each

  /// Number of Plücker coordinates r(r-1)/2.
  std::int64_t pluckerDim() const { return r * (r - 1) / 2; }
  /// The offsets layer `layer` uses (window_mode applied).
  std::vector<std::int64_t> layerWindows(std::int64_t layer) const;
  /// True when the configuration lets a position see later tokens (pairing future_leaky).
  bool leaksFuture() const { return arch == "grassmann" && pairing == "future_leaky"; }
  /// True for the paper's setup: a frozen DistilBERT under a head.
  bool hasBackbone() const { return backbone == "distilbert"; }
};

struct DataConfig {
  std::string task = "wikitext2";       ///< "wikitext2" (alias "wikitext") or "snli"
  std::string dir;                      ///< data folder; "": the embedded copy
  std::string format = "auto";          ///< wikitext2: auto|tokens|raw; snli: auto|jsonl|txt|tsv
  std::string tokenizer = "gpt2";       ///< "gpt2" or "bert"
  std::string vocab_dir;                ///< vocabulary folder; "": the embedded one
  std::int64_t seq_len = 0;             ///< chunk / pair / sentence length; 0: the task's default
  std::string pair_encoding = "joint";  ///< snli: "joint" (one sequence) or "separate"
  /// wikitext2: "shift" (chunks of L, L - 1 predictions) or "next" (chunks of L + 1, L predictions)
  std::string targets = "shift";
  /// GPT-2 stream of raw text: "file" (the whole file) or "nonempty" (non-empty lines, each with
  /// its newline, joined by "\n": Arledge's)
  std::string gpt2_rows = "file";
  std::int64_t max_train_tokens = 0;  ///< cap on training tokens (0: all)
  std::int64_t max_eval_tokens = 0;   ///< cap on predicted tokens (pairs' tokens) per evaluation
  double feature_cache_gb = 4;  ///< frozen backbone's outputs kept on disk up to this (0: never)

  bool isSnli() const { return task == "snli"; }
  bool separatePairs() const { return isSnli() && pair_encoding == "separate"; }
};

/// The sequence length a task uses when data.seq_len is 0: wikitext2 256, snli joint 96,
/// separate 48 (per sentence).
std::int64_t defaultSeqLen(const DataConfig& data);

struct TrainConfig {
  std::int64_t epochs = 20;         ///< passes over the training chunks
  std::int64_t batch_size = 16;     ///< chunks per step (reference: 32 at L=128, 16 at L=256)
  double lr = 6e-4;                 ///< peak learning rate
  double min_lr = 6e-5;             ///< cosine floor
  std::int64_t warmup_steps = 100;  ///< linear warm-up
  /// "one": lr (s + 1) / (W + 1) for step s < W (the reference's); "zero": lr s / W
  std::string warmup_from = "one";
  /// "cosine" (over all steps), "cosine_per_epoch", "constant", "cosine_epochwise" (constant within
  /// an epoch, cosine over epochs)
  std::string schedule = "cosine";
  double weight_decay = 0.01;                ///< AdamW decay on every parameter (as the reference)
  std::vector<double> betas = {0.9, 0.999};  ///< AdamW betas
  double adam_eps = 1e-8;                    ///< AdamW epsilon
  double clip = 1.0;                         ///< gradient-norm clip (0: none)
  std::string precision = "auto";            ///< "auto" (bf16 on CUDA, fp32 on CPU), "fp32", "bf16"
  std::string device = "auto";               ///< "auto", "cpu", "cuda" (or "cuda:N")
  bool cuda_graph = true;             ///< on CUDA, replay the step as a CUDA graph (fixed shapes)
  std::int64_t eval_every = 0;        ///< steps between validations (0: epoch ends only)
  std::int64_t probe_every = 0;       ///< steps between probes (0: never)
  std::int64_t checkpoint_every = 0;  ///< steps between "last" checkpoints (0: epoch ends only)
  std::int64_t log_every = 0;         ///< steps between metric reads (0: 1 on CPU, 10 on CUDA)
  std::int64_t max_steps = 0;         ///< cap on optimizer steps (0: none)
  std::int64_t threads = 0;           ///< CPU intra-op threads (0: all cores)
  /// Validation loss as reported: "tokens" (token-weighted) or "batches" (mean of batch means)
  std::string eval_mean = "tokens";
  bool drop_last = false;  ///< drop the last partial training batch of each epoch
};

struct ProbesConfig {
  std::int64_t alpha_bins = 50;    ///< histogram bins of gate alpha over [0, 1]
  std::int64_t plucker_bins = 50;  ///< bins of log10|p| and of the angle
  std::int64_t probe_batch = 8;    ///< chunks of the validation split probed
};

struct RunConfig {
  std::string name = "run";  ///< run name (folder suffix)
  std::string description;   ///< one line on what the run is for (presets say what they reproduce)
  std::int64_t seed = 1234;  ///< seeds initialisation, data order and dropout
  std::string recipe;        ///< the recipe (SPEC §8) it was made from; "": none (informational)
  ModelConfig model;
  DataConfig data;
  TrainConfig train;
  ProbesConfig probes;
};

/// Parses a whole configuration (JSON text). `source` names it in errors. Omitted keys keep
/// their defaults; unknown keys, wrong types and out-of-range values are InputErrors. What
/// config.json adds at the top level ("provenance", "config_sha256") is ignored.
RunConfig parseRunConfig(const std::string& json_text, const std::string& source);
/// Reads and parses a configuration file.
RunConfig loadRunConfig(const std::string& path);
/// Parses a model section alone, or the model section of a whole configuration.
ModelConfig parseModelConfig(const std::string& json_text, const std::string& source);

/// Applies `--set a.b=VALUE` overrides (VALUE parsed as JSON, else taken as a string) to the
/// JSON text of a configuration and returns the new text. Unknown paths are InputErrors.
std::string applyOverrides(const std::string& json_text, const std::vector<std::string>& sets,
                           const std::string& source);

/// Fills derived values: the canonical task name, data.seq_len (the task's default) when 0,
/// model.vocab_size (tokenizer size) and model.max_len (seq_len) when 0. (A DistilBERT backbone
/// needs BERT tokens: validation says so rather than switching them silently.)
/// `tokenizer_vocab_size` is the tokenizer's vocabulary size.
void resolveRunConfig(RunConfig& config, std::int64_t tokenizer_vocab_size);

/// Whether training `train` runs under bf16 autocast on a device that is CUDA (`on_cuda`) or not:
/// on CUDA unless precision is fp32.
bool usesBf16(const TrainConfig& train, bool on_cuda);

/// Checks combinations (heads dividing d_model, windows, seq_len <= max_len, per_layer lengths,
/// bf16 on a CPU, ...). `device_is_cuda`: the device the run will use. Throws InputError naming
/// the key. Call after resolveRunConfig.
void validateRunConfig(const RunConfig& config, bool device_is_cuda, const std::string& source);

/// All problems of a configuration, one (key, message) each, instead of the first one: what the
/// set-up panel shows beside each field. Empty when valid.
struct ConfigProblem {
  std::string key;      ///< e.g. "model.heads"
  std::string message;  ///< "expected ..., got ..."
};
std::vector<ConfigProblem> configProblems(const RunConfig& config, bool device_is_cuda);

/// The JSON text of a configuration (every key, sections in the documented order).
std::string runConfigToJson(const RunConfig& config, int indent = 2);
/// The JSON text of the model section.
std::string modelConfigToJson(const ModelConfig& model, int indent = -1);

/// The language model's parameter count (tied head once) from its shape alone, without building
/// it: what the set-up panel shows as you type. Equal to the built model's count (tested).
/// Computed in floating point and saturated, so absurd sizes never overflow.
std::int64_t countParameters(const ModelConfig& model);

/// Trained parameters of the model `config` describes for its task: the language model, or a
/// classifier (its body without a head, plus Linear(d, 3) or Linear(4d, 3)), or a backbone's head.
std::int64_t countTrainedParameters(const RunConfig& config);
/// The same for the size-matched other architecture (model.arch swapped).
std::int64_t countTwinParameters(const RunConfig& config);

/// The published recipes of SPEC §8, in the order of its table: paper, reference, arledge,
/// kanenorman, youdie6, youdie12, grasslm.
const std::vector<std::string>& recipeNames();

/// Vocabulary size of a tokenizer name without loading it (gpt2 50257, bert 30522).
std::int64_t knownVocabSize(const std::string& tokenizer);

}  // namespace gwb
