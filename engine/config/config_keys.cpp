// The key table: each entry binds a RunConfig member to its JSON key with a strict reader, and
// says what it is for people.
#include "engine/config/config_keys.h"

#include "engine/config/config_table.h"
#include "engine/util/error.h"

namespace gwb {
namespace detail {
namespace {

std::string describe(const Json& value) {
  if (value.is_string()) return quoteForMessage(value.get<std::string>());
  std::string text = value.dump();
  return text.size() > 60 ? text.substr(0, 60) + "..." : text;
}

[[noreturn]] void typeError(const std::string& source, const std::string& key,
                            const std::string& expected, const Json& got) {
  throw InputError({source, 0, key}, expectedGot(expected, describe(got)));
}

void read(const Json& v, std::int64_t& out, const std::string& src, const std::string& key) {
  if (v.is_number_integer()) {
    out = v.get<std::int64_t>();
  } else if (v.is_number_float() && std::abs(v.get<double>()) < 9.2e18 &&
             v.get<double>() == static_cast<double>(static_cast<std::int64_t>(v.get<double>()))) {
    out = static_cast<std::int64_t>(v.get<double>());  // 1e3 written for 1000
  } else {
    typeError(src, key, "an integer", v);
  }
}
void read(const Json& v, double& out, const std::string& src, const std::string& key) {
  if (!v.is_number()) typeError(src, key, "a number", v);
  out = v.get<double>();
}
void read(const Json& v, bool& out, const std::string& src, const std::string& key) {
  if (!v.is_boolean()) typeError(src, key, "true or false", v);
  out = v.get<bool>();
}
void read(const Json& v, std::string& out, const std::string& src, const std::string& key) {
  if (!v.is_string()) typeError(src, key, "a string", v);
  out = v.get<std::string>();
}
template <typename T>
void read(const Json& v, std::vector<T>& out, const std::string& src, const std::string& key) {
  if (!v.is_array()) typeError(src, key, "an array", v);
  out.clear();
  for (std::size_t i = 0; i < v.size(); ++i) {
    T item{};
    read(v[i], item, src, key + "[" + std::to_string(i) + "]");
    out.push_back(item);
  }
}

template <typename T>
KeyType typeOf() {
  if constexpr (std::is_same_v<T, std::int64_t>) return KeyType::Int;
  if constexpr (std::is_same_v<T, double>) return KeyType::Number;
  if constexpr (std::is_same_v<T, bool>) return KeyType::Bool;
  if constexpr (std::is_same_v<T, std::vector<std::int64_t>>) return KeyType::IntList;
  if constexpr (std::is_same_v<T, std::vector<double>>) return KeyType::NumberList;
  return KeyType::Text;
}

// Builds an entry; `choices` make a Text key a Choice key.
template <typename S, typename T>
KeyEntry entry(const char* section, S RunConfig::*sec, const char* key, T S::*member,
               const char* page, const char* label, const char* help,
               std::vector<std::string> choices = {},
               std::function<bool(const RunConfig&)> applies = nullptr, bool path = false) {
  const std::string full = std::string(section) + "." + key;
  ConfigKey k{full,    section,           key, typeOf<T>(), label, help, page, std::move(choices),
              nullptr, std::move(applies)};
  if (!k.choices.empty()) k.type = KeyType::Choice;
  if (path) k.type = KeyType::Path;
  return {k,
          [=](RunConfig& c, const Json& v, const std::string& src) {
            read(v, c.*sec.*member, src, full);
          },
          [=](const RunConfig& c) { return Json(c.*sec.*member); }};
}

template <typename T>
KeyEntry top(const char* key, T RunConfig::*member, const char* label, const char* help,
             std::vector<std::string> choices = {}) {
  ConfigKey k{key, "", key, typeOf<T>(), label, help, "Run", std::move(choices), nullptr, nullptr};
  if (!k.choices.empty()) k.type = KeyType::Choice;
  return {
      k, [=](RunConfig& c, const Json& v, const std::string& src) { read(v, c.*member, src, key); },
      [=](const RunConfig& c) { return Json(c.*member); }};
}

bool isGrassmann(const RunConfig& c) { return c.model.arch == "grassmann"; }
bool isTransformer(const RunConfig& c) { return c.model.arch == "transformer"; }
bool isSnli(const RunConfig& c) { return c.data.task == "snli"; }
bool isLm(const RunConfig& c) { return !isSnli(c); }
bool fromScratch(const RunConfig& c) { return c.model.backbone != "distilbert"; }
bool onBackbone(const RunConfig& c) { return isSnli(c) && !fromScratch(c); }
// Keys of the language-model body: what a from-scratch model (LM or classifier) is made of.
bool ownBody(const RunConfig& c) { return fromScratch(c); }
bool grassmannBody(const RunConfig& c) { return ownBody(c) && isGrassmann(c); }
bool transformerBody(const RunConfig& c) { return ownBody(c) && isTransformer(c); }
bool paperHead(const RunConfig& c) { return onBackbone(c) && c.model.head_variant == "paper"; }
bool grassmannHead(const RunConfig& c) { return onBackbone(c) && isGrassmann(c); }

std::vector<KeyEntry> buildTable() {
  using M = ModelConfig;
  using D = DataConfig;
  using T = TrainConfig;
  using P = ProbesConfig;
  const auto m = &RunConfig::model;
  const auto d = &RunConfig::data;
  const auto t = &RunConfig::train;
  const auto p = &RunConfig::probes;
  std::vector<KeyEntry> table = {
      top("name", &RunConfig::name, "Name", "Names the run folder"),
      top("description", &RunConfig::description, "Description", "One line on what the run is for"),
      top("seed", &RunConfig::seed, "Seed", "Seeds initialisation, data order and dropout"),
      top("recipe", &RunConfig::recipe, "Recipe",
          "The published recipe this configuration was made from (informational: reported "
          "numbers are matched on it)",
          [] {
            std::vector<std::string> choices = {""};
            for (const std::string& r : recipeNames()) choices.push_back(r);
            return choices;
          }()),
      entry("model", m, "arch", &M::arch, "Model", "Architecture",
            "Causal Grassmann mixing or attention (for a backbone: the head's)",
            {"grassmann", "transformer"}),
      entry("model", m, "vocab_size", &M::vocab_size, "Model", "Vocabulary",
            "0: the tokenizer's size", {}, ownBody),
      entry("model", m, "max_len", &M::max_len, "Model", "Positions",
            "Rows of the position embedding; 0: the sequence length", {}, ownBody),
      entry("model", m, "d_model", &M::d_model, "Model", "Width d", "Hidden size", {}, ownBody),
      entry("model", m, "n_layers", &M::n_layers, "Model", "Layers N", "Blocks", {}, ownBody),
      entry("model", m, "d_ff", &M::d_ff, "Model", "FFN width",
            "Inner size of the feed-forward network (4d)", {}, ownBody),
      entry("model", m, "dropout", &M::dropout, "Model", "Dropout",
            "Embedding, mixing/attention and FFN dropout (a head's too)"),
      entry("model", m, "norm", &M::norm, "Model", "Block form",
            "pre: the reference reproduction (3 LayerNorms a Grassmann block); post: the paper's "
            "text; pre_plain: pre-LN without the mixer's LayerNorm; post_residual: LN(h + "
            "Drop(Mix h)). Transformers: pre/pre_plain pre-LN, post/post_residual post-LN",
            {"pre", "post", "pre_plain", "post_residual"}, ownBody),
      entry("model", m, "ffn_dropout", &M::ffn_dropout, "Model", "FFN dropout",
            "inner: after GELU and after W2 (reference); outer: after W2 only", {"inner", "outer"},
            ownBody),
      entry("model", m, "init", &M::init, "Model", "Initialisation",
            "normal: N(0, 0.02); torch_default: PyTorch's module defaults (embeddings N(0, 1): "
            "losses of 100+ at step 0); normal_xavier_qkv: normal with a xavier qkv (Arledge)",
            {"normal", "torch_default", "normal_xavier_qkv"}, ownBody),
      entry("model", m, "tie_embeddings", &M::tie_embeddings, "Model", "Tie head to embedding",
            "Output head shares the token embedding", {},
            [](const RunConfig& c) { return isLm(c); }),
      entry("model", m, "heads", &M::heads, "Model", "Heads (Transformer)",
            "Attention heads; must divide d", {}, transformerBody),
      entry("model", m, "attn_dropout", &M::attn_dropout, "Model", "Attention dropout",
            "Dropout on the attention probabilities (Arledge: 0.1)", {}, transformerBody),
      entry("model", m, "r", &M::r, "Model", "Reduced dimension r",
            "z_t in R^r; r(r-1)/2 Plücker coordinates", {}, grassmannBody),
      entry("model", m, "windows", &M::windows, "Model", "Offsets δ",
            "Offsets of the pairs (t, t-δ), e.g. 1, 2, 4, 8, 12, 16", {}, grassmannBody),
      entry("model", m, "window_mode", &M::window_mode, "Model", "Offsets per layer",
            "all: every layer uses every offset (reference); per_layer: layer l uses offset l",
            {"all", "per_layer"}, grassmannBody),
      entry("model", m, "normalize_plucker", &M::normalize_plucker, "Model",
            "Normalise Plücker vectors", "p / max(|p|, eps)", {}, grassmannBody),
      entry("model", m, "plucker_eps", &M::plucker_eps, "Model", "Plücker eps",
            "Normalisation floor and degeneracy threshold", {},
            [](const RunConfig& c) { return isGrassmann(c); }),
      entry("model", m, "pairing", &M::pairing, "Model", "Pairing",
            "past: causal (t, t-δ); future_leaky: the paper's literal t+δ, which sees later tokens",
            {"past", "future_leaky"}, grassmannBody),
      entry("model", m, "mix_output", &M::mix_output, "Model", "Mixer output",
            "blend: α h + (1 - α) g; gate_only: α g (kanenorman)", {"blend", "gate_only"},
            grassmannBody),
      entry("model", m, "offset_mean", &M::offset_mean, "Model", "Offset mean",
            "project_then_mean: mean of W p̂ + b (0 without a valid offset); "
            "mean_then_project: W mean(p̂) + b (b without one)",
            {"project_then_mean", "mean_then_project"}, grassmannBody),
      entry("model", m, "mix_proj", &M::mix_proj, "Model", "Mixer projection",
            "Linear(d, d) on the mixer's output: inferred from the paper's parameter counts, not "
            "published",
            {}, grassmannBody),
      entry("model", m, "pooling", &M::pooling, "Classifier", "Pooling",
            "mean: over the tokens; cls: the first position; last: the last token",
            {"mean", "cls", "last"},
            [](const RunConfig& c) { return isSnli(c) && fromScratch(c); }),
      entry("model", m, "bidirectional", &M::bidirectional, "Classifier", "Bidirectional",
            "Attend and pair both ways (t - δ and t + δ); SNLI only", {},
            [](const RunConfig& c) { return isSnli(c) && fromScratch(c); }),
      entry("model", m, "backbone", &M::backbone, "Classifier", "Backbone",
            "none: trained from scratch; distilbert: the paper's frozen DistilBERT with a head",
            {"none", "distilbert"}, isSnli),
      entry("model", m, "backbone_dir", &M::backbone_dir, "Classifier", "Backbone folder",
            "DistilBERT folder (config.json, model.safetensors); empty: the data manager's copy",
            {}, onBackbone, /*path=*/true),
      entry("model", m, "backbone_dim", &M::backbone_dim, "Classifier", "Feature width",
            "Width of given features when no backbone is loaded (gwb eval --features); 0: the "
            "backbone's",
            {}, onBackbone),
      entry("model", m, "head_variant", &M::head_variant, "Classifier", "Head variant",
            "paper: heads over token features; reference: the reproduction's heads over one "
            "pooled vector (degenerate: Plücker(z, z) = 0)",
            {"paper", "reference"}, onBackbone),
      entry("model", m, "head_d_model", &M::head_d_model, "Classifier", "Head width",
            "Width of the head after Linear(768, d)", {}, onBackbone),
      entry("model", m, "head_layers", &M::head_layers, "Classifier", "Head layers",
            "Blocks of the head", {}, onBackbone),
      entry("model", m, "head_d_ff", &M::head_d_ff, "Classifier", "Head FFN width",
            "Inner size of the head's feed-forward networks", {}, onBackbone),
      entry("model", m, "head_heads", &M::head_heads, "Classifier", "Head attention heads",
            "Attention heads of the Transformer head", {},
            [](const RunConfig& c) { return onBackbone(c) && isTransformer(c); }),
      entry("model", m, "head_r", &M::head_r, "Classifier", "Head reduced dimension",
            "d_proj of the Grassmann head (64: 2,016 Plücker coordinates)", {}, grassmannHead),
      entry("model", m, "head_window", &M::head_window, "Classifier", "Head window",
            "Tokens per window of the paper's Grassmann head", {},
            [](const RunConfig& c) { return paperHead(c) && isGrassmann(c); }),
      entry("model", m, "head_stride", &M::head_stride, "Classifier", "Head stride",
            "A window starts every this many tokens", {},
            [](const RunConfig& c) { return paperHead(c) && isGrassmann(c); }),
      entry("model", m, "head_groups", &M::head_groups, "Classifier", "Head groups",
            "z split into groups with a Plücker vector each (a reading of the paper's 4 mixing "
            "heads)",
            {}, [](const RunConfig& c) { return paperHead(c) && isGrassmann(c); }),
      entry("data", d, "task", &D::task, "Data", "Task",
            "Language modelling on Wikitext-2, or SNLI classification", {"wikitext2", "snli"}),
      entry("data", d, "tokenizer", &D::tokenizer, "Data", "Tokenizer",
            "GPT-2 BPE (50,257) or BERT WordPiece (30,522)", {"gpt2", "bert"}, ownBody),
      entry("data", d, "dir", &D::dir, "Data", "Data folder",
            "Empty: an installed copy (gwb data fetch), else the embedded one", {}, nullptr,
            /*path=*/true),
      entry("data", d, "format", &D::format, "Data", "Format", "Which files of the folder",
            {"auto", "tokens", "raw", "jsonl", "txt", "tsv"}),
      entry("data", d, "vocab_dir", &D::vocab_dir, "Data", "Vocabulary folder",
            "Empty: the embedded vocabulary", {}, nullptr, /*path=*/true),
      entry("data", d, "seq_len", &D::seq_len, "Data", "Sequence length L",
            "Tokens per chunk (wikitext2: 256), per pair (snli joint: 96) or per sentence "
            "(separate: 48); 0: the task's default"),
      entry("data", d, "pair_encoding", &D::pair_encoding, "Data", "Pair encoding",
            "joint: [CLS] premise [SEP] hypothesis [SEP]; separate: each sentence alone",
            {"joint", "separate"}, isSnli),
      entry("data", d, "targets", &D::targets, "Data", "Targets",
            "shift: chunks of L, L - 1 predictions; next: chunks of L + 1 tokens, L predictions "
            "(kanenorman, youdie006, GrassLM)",
            {"shift", "next"}, isLm),
      entry("data", d, "gpt2_rows", &D::gpt2_rows, "Data", "GPT-2 text rows",
            "file: the whole file as one text; nonempty: the non-empty lines joined by a newline "
            "(Arledge)",
            {"file", "nonempty"},
            [](const RunConfig& c) { return isLm(c) && c.data.tokenizer == "gpt2"; }),
      entry("data", d, "max_train_tokens", &D::max_train_tokens, "Data", "Training tokens cap",
            "0: all", {}, isLm),
      entry("data", d, "max_eval_tokens", &D::max_eval_tokens, "Data", "Evaluation tokens cap",
            "0: all (SNLI: the first pairs of a split up to this many tokens)"),
      entry("data", d, "feature_cache_gb", &D::feature_cache_gb, "Data", "Feature cache (GB)",
            "Keep a frozen backbone's outputs on disk when they fit; 0: never", {}, onBackbone),
      entry("train", t, "epochs", &T::epochs, "Recipe", "Epochs", "Passes over the training data"),
      entry("train", t, "batch_size", &T::batch_size, "Recipe", "Batch",
            "Chunks (or pairs) per step"),
      entry("train", t, "lr", &T::lr, "Recipe", "Learning rate", "Peak rate"),
      entry("train", t, "min_lr", &T::min_lr, "Recipe", "Final learning rate", "Cosine floor"),
      entry("train", t, "warmup_steps", &T::warmup_steps, "Recipe", "Warm-up steps",
            "Linear warm-up; 0: none"),
      entry("train", t, "warmup_from", &T::warmup_from, "Recipe", "Warm-up from",
            "one: lr (s + 1) / (W + 1) at step s (the reference's); zero: lr s / W (GrassLM)",
            {"one", "zero"}),
      entry("train", t, "schedule", &T::schedule, "Recipe", "Schedule",
            "cosine: over the run, stepped every batch; cosine_per_epoch: restarting each epoch; "
            "constant; cosine_epochwise: constant within an epoch, cosine over the epochs "
            "(kanenorman)",
            {"cosine", "cosine_per_epoch", "constant", "cosine_epochwise"}),
      entry("train", t, "weight_decay", &T::weight_decay, "Recipe", "Weight decay",
            "AdamW decay on every parameter"),
      entry("train", t, "betas", &T::betas, "Recipe", "AdamW betas", "beta1, beta2"),
      entry("train", t, "adam_eps", &T::adam_eps, "Recipe", "AdamW eps", "Denominator floor"),
      entry("train", t, "clip", &T::clip, "Recipe", "Gradient clip", "Global norm; 0: none"),
      entry("train", t, "precision", &T::precision, "Recipe", "Precision",
            "auto: bf16 on CUDA, fp32 on a CPU", {"auto", "fp32", "bf16"}),
      entry("train", t, "device", &T::device, "Recipe", "Device", "auto: CUDA if there is one",
            {"auto", "cpu", "cuda"}),
      entry("train", t, "cuda_graph", &T::cuda_graph, "Recipe", "CUDA graph",
            "On CUDA, capture the language model's step once and replay it (the last partial "
            "batch runs eagerly)",
            {}, isLm),
      entry("train", t, "eval_every", &T::eval_every, "Recipe", "Validate every",
            "Steps; 0: at epoch ends only"),
      entry("train", t, "probe_every", &T::probe_every, "Recipe", "Probe every", "Steps; 0: never"),
      entry("train", t, "checkpoint_every", &T::checkpoint_every, "Recipe", "Checkpoint every",
            "Steps; 0: at epoch ends only"),
      entry("train", t, "log_every", &T::log_every, "Recipe", "Read metrics every",
            "Steps; 0: 1 on a CPU, 10 on CUDA"),
      entry("train", t, "max_steps", &T::max_steps, "Recipe", "Step cap", "0: none"),
      entry("train", t, "threads", &T::threads, "Recipe", "CPU threads", "0: all cores"),
      entry("train", t, "eval_mean", &T::eval_mean, "Recipe", "Validation mean",
            "tokens: token-weighted; batches: the mean of per-batch means (as kanenorman and "
            "youdie006 report); summary.json's best_valid_loss is always token-weighted",
            {"tokens", "batches"}, isLm),
      entry("train", t, "drop_last", &T::drop_last, "Recipe", "Drop last batch",
            "Drop each epoch's last partial batch (GrassLM)"),
      entry("probes", p, "alpha_bins", &P::alpha_bins, "Probes", "α bins",
            "Histogram bins of gate alpha over [0, 1]"),
      entry("probes", p, "plucker_bins", &P::plucker_bins, "Probes", "Plücker bins",
            "Bins of log10|p| and of the angle"),
      entry("probes", p, "probe_batch", &P::probe_batch, "Probes", "Probe batch",
            "Validation chunks (or pairs) probed"),
  };
  for (KeyEntry& e : table) {
    if (e.key.path == "data.format") {
      e.key.choices_for = [](const RunConfig& c) -> std::vector<std::string> {
        if (isSnli(c)) return {"auto", "jsonl", "txt", "tsv"};
        return {"auto", "tokens", "raw"};
      };
    }
  }
  return table;
}

}  // namespace

const std::vector<KeyEntry>& keyTable() {
  static const std::vector<KeyEntry> table = buildTable();
  return table;
}

}  // namespace detail

const std::vector<ConfigKey>& configKeys() {
  static const std::vector<ConfigKey> keys = [] {
    std::vector<ConfigKey> out;
    for (const detail::KeyEntry& e : detail::keyTable()) out.push_back(e.key);
    return out;
  }();
  return keys;
}

const ConfigKey* findConfigKey(const std::string& path) {
  for (const ConfigKey& k : configKeys()) {
    if (k.path == path) return &k;
  }
  return nullptr;
}

const std::vector<std::string>& configPages() {
  static const std::vector<std::string> pages = {"Run",  "Model",  "Classifier",
                                                 "Data", "Recipe", "Probes"};
  return pages;
}

}  // namespace gwb
