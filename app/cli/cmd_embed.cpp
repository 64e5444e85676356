// `gwb embed --backbone DIR --ids I.json [--mask M.json] [--precision fp32|fp64]` (CONTRACTS.md):
// a DistilBERT folder's last hidden states on a batch of ids, as checksums and pooled vectors with
// the definitions of tests/golden/distilbert/expected.json (what Hugging Face's DistilBertModel
// gives in eval mode). On the CPU, so that it compares with the golden values anywhere.
#include <memory>

#include "app/cli/cli_common.h"
#include "engine/data/backbone_folder.h"
#include "engine/model/distilbert.h"
#include "engine/util/error.h"
#include "engine/util/file_io.h"

namespace gwb::cli {
namespace {

struct EmbedOptions {
  std::string backbone, ids, mask;
  std::string precision = "fp32";
};

// A B x T JSON array of integers in [lo, hi] (`what` names them in errors).
torch::Tensor readMatrix(const std::string& path, std::int64_t lo, std::int64_t hi,
                         const std::string& what, std::int64_t rows = -1,
                         std::int64_t columns = -1) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(readFileBytes(path));
  } catch (const nlohmann::json::exception& e) {
    throw InputError({path}, expectedGot("a JSON array of " + what + " arrays", e.what()));
  }
  if (!j.is_array() || j.empty() || !j[0].is_array() || j[0].empty())
    throw InputError({path}, expectedGot("a B x T array of " + what, j.type_name()));
  const auto B = static_cast<std::int64_t>(j.size()), T = static_cast<std::int64_t>(j[0].size());
  if ((rows >= 0 && B != rows) || (columns >= 0 && T != columns)) {
    throw InputError({path}, expectedGot(std::to_string(rows) + " x " + std::to_string(columns) +
                                             " (the ids' shape)",
                                         std::to_string(B) + " x " + std::to_string(T)));
  }
  torch::Tensor out = torch::empty({B, T}, torch::kLong);
  auto* p = out.data_ptr<std::int64_t>();
  for (std::int64_t b = 0; b < B; ++b) {
    if (!j[b].is_array() || static_cast<std::int64_t>(j[b].size()) != T) {
      throw InputError({path, 0, "[" + std::to_string(b) + "]"},
                       expectedGot(std::to_string(T) + " values", j[b].dump().substr(0, 40)));
    }
    for (std::int64_t t = 0; t < T; ++t) {
      const auto& v = j[b][t];
      const bool ok =
          (v.is_number_integer() && v.get<std::int64_t>() >= lo && v.get<std::int64_t>() <= hi) ||
          (v.is_boolean() && lo == 0 && hi == 1);
      if (!ok) {
        throw InputError(
            {path, 0, "[" + std::to_string(b) + "][" + std::to_string(t) + "]"},
            expectedGot(what + " in " + std::to_string(lo) + ".." + std::to_string(hi), v.dump()));
      }
      p[b * T + t] = v.is_boolean() ? v.get<bool>() : v.get<std::int64_t>();
    }
  }
  return out;
}

std::vector<double> values(const torch::Tensor& t) {
  const torch::Tensor c = t.to(torch::kDouble).contiguous();
  return {c.data_ptr<double>(), c.data_ptr<double>() + c.numel()};
}

int runEmbed(const EmbedOptions& o) {
  if (o.precision != "fp32" && o.precision != "fp64") {
    throw InputError({"", 0, "--precision"},
                     expectedGot("fp32 or fp64", "\"" + o.precision + "\""));
  }
  const BackboneFolder folder = inspectBackboneFolder(o.backbone);
  const DistilBertShape& s = folder.shape;
  const torch::Tensor ids = readMatrix(o.ids, 0, s.vocab_size - 1, "ids");
  if (ids.size(1) > s.max_position_embeddings) {
    throw InputError({o.ids}, expectedGot("rows of at most max_position_embeddings " +
                                              std::to_string(s.max_position_embeddings) + " ids",
                                          std::to_string(ids.size(1))));
  }
  const torch::Tensor mask =
      o.mask.empty()
          ? torch::ones_like(ids, torch::kBool)
          : readMatrix(o.mask, 0, 1, "mask values", ids.size(0), ids.size(1)).to(torch::kBool);
  DistilBert model = loadDistilBert(folder, torch::kCPU, /*bf16=*/false);
  if (o.precision == "fp64") model->to(torch::kDouble);
  torch::NoGradGuard no_grad;
  const torch::Tensor hidden = model->forward(ids, mask).to(torch::kDouble);  // (B, T, dim)
  const torch::Tensor tokens = hidden * mask.unsqueeze(-1).to(torch::kDouble);
  const torch::Tensor pooled = maskedMean(hidden, mask);  // (B, dim)
  nlohmann::ordered_json out;
  out["hidden_sum"] = tokens.sum().item<double>();
  out["hidden_abs_sum"] = tokens.abs().sum().item<double>();
  out["hidden_first"] = values(hidden[0][0].narrow(0, 0, std::min<std::int64_t>(8, s.dim)));
  out["pooled"] = nlohmann::ordered_json::array();
  for (std::int64_t b = 0; b < pooled.size(0); ++b) out["pooled"].push_back(values(pooled[b]));
  out["backbone"] = {{"dir", folder.dir},
                     {"dim", s.dim},
                     {"n_layers", s.n_layers},
                     {"parameters", folder.parameters}};
  printJson(out);
  return kExitOk;
}

}  // namespace

void addEmbedCommand(CLI::App& app, Action& action) {
  auto o = std::make_shared<EmbedOptions>();
  CLI::App* cmd = app.add_subcommand(
      "embed", "A DistilBERT folder's hidden states on a batch of ids (checksums, pooled vectors)");
  cmd->add_option("--backbone", o->backbone, "DistilBERT folder (config.json, model.safetensors)")
      ->required();
  cmd->add_option("--ids", o->ids, "B x T array of token ids (JSON)")->required();
  cmd->add_option("--mask", o->mask, "B x T array of 0/1 (1 = token; default all ones)");
  cmd->add_option("--precision", o->precision, "fp32 (default) or fp64 arithmetic");
  cmd->callback([o, &action] { action = [o] { return runEmbed(*o); }; });
}

}  // namespace gwb::cli
