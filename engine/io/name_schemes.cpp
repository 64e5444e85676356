// One table of (pattern of ours -> theirs) per scheme; $1 is the block index, $2 the rest.
#include "engine/io/name_schemes.h"

#include <regex>
#include <utility>

#include "engine/util/error.h"

namespace gwb {
namespace {

using Rule = std::pair<std::regex, std::string>;

std::vector<Rule> rules(std::initializer_list<std::pair<const char*, const char*>> table) {
  std::vector<Rule> out;
  for (const auto& [ours, theirs] : table) out.emplace_back(std::regex(ours), theirs);
  return out;
}

// The workbench's names: token_embedding, position_embedding, blocks.{i}.{ln1, grassmann.{W_red,
// W_plu, W_gate, mix_proj, layer_norm}, qkv_proj, out_proj, ln2, ffn.0, ffn.3}, ln_f.
const std::vector<Rule>& arledgeRules() {  // its Transformer: torch.nn.MultiheadAttention
  static const std::vector<Rule> r = rules({
      {R"(^blocks\.(\d+)\.qkv_proj\.weight$)", "blocks.$1.attn.in_proj_weight"},
      {R"(^blocks\.(\d+)\.qkv_proj\.bias$)", "blocks.$1.attn.in_proj_bias"},
      {R"(^blocks\.(\d+)\.out_proj\.(.+)$)", "blocks.$1.attn.out_proj.$2"},
      {R"(^blocks\.(\d+)\.grassmann\.mix_proj\..+$)", ""},
      {R"(^(.+)$)", "$1"},
  });
  return r;
}

const std::vector<Rule>& kanenormanRules() {  // kanenorman/grassmann and youdie006/grassmann
  static const std::vector<Rule> r = rules({
      {R"(^token_embedding\.(.+)$)", "token_embedding.$1"},
      {R"(^position_embedding\.(.+)$)", "position_embedding.$1"},
      {R"(^blocks\.(\d+)\.ln1\.(.+)$)", "transformer_blocks.$1.attention_norm.$2"},
      {R"(^blocks\.(\d+)\.grassmann\.layer_norm\.(.+)$)",
       "transformer_blocks.$1.attention_norm.$2"},
      {R"(^blocks\.(\d+)\.grassmann\.W_red\.(.+)$)", "transformer_blocks.$1.attention.reduce.$2"},
      {R"(^blocks\.(\d+)\.grassmann\.W_plu\.(.+)$)", "transformer_blocks.$1.attention.expand.$2"},
      {R"(^blocks\.(\d+)\.grassmann\.W_gate\.(.+)$)",
       "transformer_blocks.$1.attention.gate_proj.$2"},
      {R"(^blocks\.(\d+)\.qkv_proj\.(.+)$)", "transformer_blocks.$1.attention.qkv_projection.$2"},
      {R"(^blocks\.(\d+)\.out_proj\.(.+)$)", "transformer_blocks.$1.attention.out_projection.$2"},
      {R"(^blocks\.(\d+)\.ln2\.(.+)$)", "transformer_blocks.$1.ffn_norm.$2"},
      {R"(^blocks\.(\d+)\.ffn\.0\.(.+)$)", "transformer_blocks.$1.ffn.layers.0.$2"},
      {R"(^blocks\.(\d+)\.ffn\.3\.(.+)$)", "transformer_blocks.$1.ffn.layers.2.$2"},
      {R"(^ln_f\.(.+)$)", "output_norm.$1"},
  });
  return r;
}

const std::vector<Rule>& grasslmRules() {  // adriansimonn/GrassLM (Grassmann only)
  static const std::vector<Rule> r = rules({
      {R"(^token_embedding\.(.+)$)", "tok_embed.$1"},
      {R"(^position_embedding\.(.+)$)", "pos_embed.$1"},
      {R"(^blocks\.(\d+)\.ln1\.(.+)$)", "blocks.$1.ln1.$2"},
      {R"(^blocks\.(\d+)\.grassmann\.layer_norm\.(.+)$)", "blocks.$1.ln1.$2"},
      {R"(^blocks\.(\d+)\.grassmann\.W_red\.(.+)$)", "blocks.$1.mixing.plucker_encoder.W_red.$2"},
      {R"(^blocks\.(\d+)\.grassmann\.W_plu\.(.+)$)", "blocks.$1.mixing.plucker_encoder.W_plu.$2"},
      {R"(^blocks\.(\d+)\.grassmann\.W_gate\.(.+)$)", "blocks.$1.mixing.W_gate.$2"},
      {R"(^blocks\.(\d+)\.ln2\.(.+)$)", "blocks.$1.ln2.$2"},
      {R"(^blocks\.(\d+)\.ffn\.0\.(.+)$)", "blocks.$1.ffn.0.$2"},
      {R"(^blocks\.(\d+)\.ffn\.3\.(.+)$)", "blocks.$1.ffn.2.$2"},
      {R"(^ln_f\.(.+)$)", "ln_final.$1"},
  });
  return r;
}

}  // namespace

const std::vector<std::string>& nameSchemes() {
  static const std::vector<std::string> names = {"reference", "arledge", "kanenorman", "grasslm"};
  return names;
}

std::string canonicalNameScheme(const std::string& name) {
  if (name == "youdie006") return "kanenorman";
  for (const std::string& s : nameSchemes()) {
    if (s == name) return s;
  }
  throw InputError(
      {"", 0, "--names"},
      expectedGot("reference, arledge, kanenorman, youdie006 or grasslm", "\"" + name + "\""));
}

std::string recogniseNameScheme(const std::vector<std::string>& names) {
  static const std::regex arledge_attention(R"(^blocks\.\d+\.attn\.)");
  bool blocks = false, embedding = false;
  for (const std::string& n : names) {
    if (n == "tok_embed.weight") return "grasslm";
    if (n.rfind("transformer_blocks.", 0) == 0) return "kanenorman";
    if (std::regex_search(n, arledge_attention)) return "arledge";
    blocks = blocks || n.rfind("blocks.", 0) == 0;
    embedding = embedding || n == "token_embedding.weight";
  }
  return blocks && embedding ? "reference" : "";
}

std::string schemeTensorName(const std::string& scheme, const std::string& ours) {
  const std::string canonical = canonicalNameScheme(scheme);  // InputError for an unknown one
  if (canonical == "reference") return ours.find(".mix_proj.") == std::string::npos ? ours : "";
  const std::vector<Rule>& table = canonical == "arledge"      ? arledgeRules()
                                   : canonical == "kanenorman" ? kanenormanRules()
                                                               : grasslmRules();
  for (const auto& [pattern, replacement] : table) {
    std::smatch m;
    if (!std::regex_match(ours, m, pattern)) continue;
    return replacement.empty() ? std::string() : m.format(replacement);
  }
  return "";
}

bool ignorableSchemeTensor(const std::string& name) {
  static const std::regex buffers(R"((^|\.)(idx_i|idx_j|causal_mask)$)");
  return name == "lm_head.weight" || std::regex_search(name, buffers);
}

}  // namespace gwb
