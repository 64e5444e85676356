// A DistilBERT folder as Hugging Face writes it (config.json + model.safetensors), inspected
// without loading its weights: the shape from config.json, every tensor's name and shape checked
// against DistilBertModel's (names with or without the `distilbert.` prefix; the masked-LM head
// ignored), the parameter count, and on request the SHA-256 of the weights. What the trainer
// records, dry runs count, the DistilBERT loader (engine/model/distilbert.h) trusts, and the set-up
// panel can show. Torch-free.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "engine/config/run_config.h"

namespace gwb {

/// The keys of Hugging Face's DistilBertConfig that shape the model (its defaults where absent).
struct DistilBertShape {
  std::int64_t vocab_size = 30522;
  std::int64_t dim = 768;                      ///< hidden size: the feature width
  std::int64_t n_layers = 6;                   ///< transformer blocks
  std::int64_t n_heads = 12;                   ///< attention heads (divide dim)
  std::int64_t hidden_dim = 3072;              ///< FFN inner size
  std::int64_t max_position_embeddings = 512;  ///< rows of the position embedding
  std::string activation = "gelu";             ///< "gelu" (the erf form) or "relu"
};

/// Parses config.json text (`source` names it in errors): integers where integers belong,
/// model_type "distilbert" if given, n_heads dividing dim, a supported activation.
DistilBertShape parseDistilBertConfig(const std::string& json_text, const std::string& source);

/// Every tensor of DistilBertModel under Hugging Face's names (without a prefix), in module order,
/// with its shape: embeddings.word_embeddings.weight, ..., transformer.layer.{i}.ffn.lin2.bias.
std::vector<std::pair<std::string, std::vector<std::int64_t>>> distilBertTensors(
    const DistilBertShape& shape);
/// Their total element count (66,362,880 for distilbert-base-uncased).
std::int64_t distilBertParameters(const DistilBertShape& shape);

/// True for tensors of a checkpoint that the backbone leaves out (name without the prefix): the
/// masked-LM head (vocab_transform.*, vocab_layer_norm.*, vocab_projector.*) and the
/// embeddings.position_ids buffer some versions stored.
bool ignoredBackboneTensor(const std::string& name);

/// What a folder holds.
struct BackboneFolder {
  std::string dir;           ///< absolute
  std::string config_path;   ///< dir/config.json
  std::string weights_path;  ///< dir/model.safetensors
  DistilBertShape shape;
  std::int64_t parameters = 0;  ///< DistilBertModel's (the ignored tensors not counted)
  std::string weights_sha256;   ///< of model.safetensors; empty unless asked for
  /// DistilBertModel name -> the name in the file (with its prefix, if it had one).
  std::map<std::string, std::string> file_names;
  std::vector<std::string> ignored;  ///< the file's tensors left out, as named there
};

/// Inspects `dir`. InputError naming the file (and key or tensor) when the folder, config.json or
/// model.safetensors is missing or malformed, when a DistilBertModel tensor is missing, has
/// another shape or a non-float dtype, appears twice (with and without the prefix), or when the
/// file holds a tensor that is neither DistilBertModel's nor ignored. `with_sha256` also hashes
/// the weights (a full read: about a second for distilbert-base's 268 MB).
BackboneFolder inspectBackboneFolder(const std::string& dir, bool with_sha256 = false);

/// What does not fit between a configuration and the backbone of `folder`: a tokenizer
/// vocabulary of `tokenizer_vocab` ids larger than the backbone's (key data.vocab_dir), sequences
/// (data.seq_len: a joint pair, or each sentence) longer than its position embedding, a
/// model.backbone_dim other than its dim. Empty when everything fits.
std::vector<ConfigProblem> backboneProblems(const RunConfig& config, const BackboneFolder& folder,
                                            std::int64_t tokenizer_vocab);

}  // namespace gwb
