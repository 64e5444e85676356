// `gwb train --dry-run` and the set-up panel's counts: a configuration resolved and validated for
// the device it would run on (its memory included), with the model's parameters counted on a
// model built on the CPU, and which data and backbone it would read.
#include <optional>

#include "engine/data/backbone_folder.h"
#include "engine/data/data_source.h"
#include "engine/model/classifier.h"
#include "engine/model/language_model.h"
#include "engine/model/snli_head.h"
#include "engine/runtime/device.h"
#include "engine/train/run.h"
#include "engine/util/error.h"

namespace gwb {

using namespace train_detail;

PreparedConfig prepareConfig(RunConfig config, const std::string& source) {
  // A backbone's folder, if one is configured or installed: its shape counts the frozen
  // parameters and gives the feature width; without one the frozen count is 0 (and says why).
  std::optional<BackboneFolder> folder;
  DataResolution backbone;
  if (config.model.hasBackbone()) {
    backbone = resolveBackboneDir(config.model.backbone_dir);
    if (backbone.source != DataSource::None) folder = inspectBackboneFolder(backbone.dir);
  }
  std::int64_t vocab = knownVocabSize(config.data.tokenizer);
  const std::string vocab_dir = vocabDir(config, folder ? folder->dir : "");
  if (!vocab_dir.empty()) {
    vocab = loadTokenizer(parseTokenizerKind(config.data.tokenizer, "data.tokenizer"), vocab_dir)
                ->vocabSize();
  }
  resolveAndValidate(config, source, vocab);  // the memory check comes before any allocation
  PreparedConfig out;
  out.config = config;
  const DataResolution data = resolveTaskData(config.data.task, config.data.dir, config.data.format,
                                              "", !config.recipe.empty());
  out.data_source = data.provenance + (data.v1_not_raw ? " (v1, not the recipe's corpus)" : "");
  torch::NoGradGuard no_grad;
  if (config.model.hasBackbone()) {
    std::int64_t dim = config.model.backbone_dim > 0 ? config.model.backbone_dim : 768;
    if (folder) {
      const auto problems = backboneProblems(config, *folder, vocab);
      if (!problems.empty())
        throw InputError({source, 0, problems.front().key}, problems.front().message);
      dim = folder->shape.dim;
      out.frozen = folder->parameters;
      out.backbone_dir = folder->dir;
      out.backbone_source = backbone.provenance;
    } else {
      out.backbone_source = "none";
      out.backbone_note =
          "no backbone folder (set model.backbone_dir or run `gwb data fetch "
          "distilbert-base-uncased`): frozen parameters unknown, counted 0; the "
          "head counted for " +
          std::to_string(dim) + "-wide features";
    }
    HeadModel model(config.model, dim);
    out.parameter_counts = model->parameterCounts();
  } else if (config.data.isSnli()) {
    SequenceClassifier model(config.model, config.data.separatePairs());
    out.parameter_counts = model->parameterCounts();
  } else {
    LanguageModel model(config.model);
    out.parameter_counts = model->parameterCounts();
  }
  for (const auto& [name, count] : out.parameter_counts) out.trained += count;
  out.parameters = out.trained + out.frozen;
  RunConfig counted = config;  // the twin's head reads features as wide as this one's
  if (folder) counted.model.backbone_dim = folder->shape.dim;
  out.twin = countTwinParameters(counted);
  out.device = deviceName(resolveDevice(config.train.device));
  return out;
}

}  // namespace gwb
