// Stand-ins for a build without libcurl and/or libarchive (the GPU machine has no libarchive):
// everything else of the data manager works; fetching says what is missing, before any download.
#include "engine/fetch/download.h"
#include "engine/fetch/extract.h"
#include "engine/util/error.h"

namespace gwb {

#ifndef GWB_HAVE_CURL
bool downloadsAvailable() { return false; }

DownloadResult downloadFile(const CatalogFile& file, const std::string&, const std::string&,
                            const DownloadOptions&) {
  throw InputError({file.fileName()},
                   expectedGot("a gwb built with libcurl (libcurl4-openssl-dev)", "one without"));
}
#endif

#ifndef GWB_HAVE_ARCHIVE
bool extractionAvailable() { return false; }

std::vector<ExtractedFile> extractMembers(const std::string&, const CatalogFile& file,
                                          const std::string&, const std::string& source,
                                          const std::atomic<bool>*) {
  throw InputError({source.empty() ? file.fileName() : source},
                   expectedGot("a gwb built with libarchive (libarchive-dev)", "one without"));
}
#endif

}  // namespace gwb
