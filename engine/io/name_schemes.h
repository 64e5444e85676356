// The tensor names of the other reproductions' checkpoints (SPEC §8, CONTRACTS.md "Checkpoints of
// other reproductions"), one table per scheme, in one place: a scheme says only where each of the
// workbench's parameters is stored in such a file; the maths is always the model configuration's.
// reference (alphaXiv; Arledge's Grassmann too) is the workbench's own naming, arledge differs in
// its Transformer (torch.nn.MultiheadAttention), kanenorman (youdie006 shares it) and grasslm
// name everything their own way. Torch-free.
#pragma once

#include <string>
#include <vector>

namespace gwb {

/// The schemes, canonical names: reference, arledge, kanenorman, grasslm.
const std::vector<std::string>& nameSchemes();

/// The canonical scheme of a --names value ("youdie006" is kanenorman's); InputError (key
/// --names) naming the choices otherwise.
std::string canonicalNameScheme(const std::string& name);

/// The scheme a file's tensor names are written in, or "" when none fits.
std::string recogniseNameScheme(const std::vector<std::string>& names);

/// Where `scheme` stores the workbench parameter `ours` (a checkpoint name such as
/// "blocks.0.grassmann.W_red.weight"); "" when the scheme has no place for it (kanenorman's
/// blocks have two LayerNorms, GrassLM has no Transformer, nobody else has mix_proj).
std::string schemeTensorName(const std::string& scheme, const std::string& ours);

/// Whether a tensor of a `scheme` file is one no parameter reads: a tied head stored beside the
/// embedding, the Plücker index buffers, an attention mask.
bool ignorableSchemeTensor(const std::string& name);

}  // namespace gwb
