// Strict reading of the data catalogue: unknown keys and unsafe targets are errors that name the
// key, so that a typo in a user's GWB_DATA_CATALOG never turns into a silent download.
#include "engine/catalog/catalog.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "engine/util/error.h"
#include "engine/util/file_io.h"
#include "engine/util/paths.h"

namespace gwb {
namespace {

using Json = nlohmann::json;

class Reader {
 public:
  explicit Reader(std::string path) : path_(std::move(path)) {}

  [[noreturn]] void fail(const std::string& key, const std::string& expected,
                         const std::string& got) const {
    throw InputError({path_, 0, key}, expectedGot(expected, got));
  }

  static std::string describe(const Json& v) {
    if (v.is_string()) return quoteForMessage(v.get<std::string>());
    const std::string text = v.dump();
    return text.size() > 60 ? text.substr(0, 60) + "..." : text;
  }

  void keys(const Json& object, const std::string& key, std::initializer_list<const char*> allowed,
            std::initializer_list<const char*> required) const {
    if (!object.is_object()) fail(key, "an object", describe(object));
    for (const auto& item : object.items()) {
      const std::string& name = item.key();
      if (std::none_of(allowed.begin(), allowed.end(), [&](const char* a) { return name == a; })) {
        std::string list;
        for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
        fail(key.empty() ? name : key + "." + name, "one of the keys " + list, "an unknown key");
      }
    }
    for (const char* r : required) {
      if (!object.contains(r)) fail(key.empty() ? r : key + "." + r, "a value", "none");
    }
  }

  std::string string(const Json& v, const std::string& key) const {
    if (!v.is_string()) fail(key, "a string", describe(v));
    return v.get<std::string>();
  }

  std::int64_t positive(const Json& v, const std::string& key) const {
    if (!v.is_number_integer() || v.get<std::int64_t>() <= 0) {
      fail(key, "a positive integer", describe(v));
    }
    return v.get<std::int64_t>();
  }

  std::string target(const Json& v, const std::string& key) const {
    const std::string to = string(v, key);
    if (!isSafeRelativePath(to)) {
      fail(key, "a relative path inside the item's folder (no '..', no leading '/')",
           quoteForMessage(to));
    }
    const std::string first = to.substr(0, to.find('/'));
    const std::string last = to.substr(to.rfind('/') + 1);
    if (first == "MANIFEST.json" || first.front() == '.' || last.front() == '.') {
      fail(key, "a name that is not MANIFEST.json and no dot-file (the installation's own files)",
           quoteForMessage(to));
    }
    return to;
  }

 private:
  std::string path_;
};

bool isHex64(const std::string& s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

bool isHttpUrl(const std::string& url) {
  const auto rest = [&](std::size_t n) { return url.size() > n && url[n] != '/'; };
  if (url.rfind("https://", 0) == 0) return rest(8);
  if (url.rfind("http://", 0) == 0) return rest(7);
  return false;
}

CatalogFile readFile(const Reader& r, const Json& j, const std::string& key) {
  r.keys(j, key, {"urls", "bytes", "sha256", "to", "extract"}, {"urls", "bytes", "sha256"});
  CatalogFile file;
  const Json& urls = j["urls"];
  if (!urls.is_array() || urls.empty()) {
    r.fail(key + ".urls", "a non-empty array of URLs", Reader::describe(urls));
  }
  for (std::size_t i = 0; i < urls.size(); ++i) {
    const std::string k = key + ".urls[" + std::to_string(i) + "]";
    const std::string url = r.string(urls[i], k);
    if (!isHttpUrl(url)) r.fail(k, "an http:// or https:// URL", quoteForMessage(url));
    file.urls.push_back(url);
  }
  file.bytes = r.positive(j["bytes"], key + ".bytes");
  file.sha256 = r.string(j["sha256"], key + ".sha256");
  if (!isHex64(file.sha256)) {
    r.fail(key + ".sha256", "64 lower-case hex digits", quoteForMessage(file.sha256));
  }
  if (j.contains("to") == j.contains("extract")) {
    r.fail(key, "exactly one of \"to\" (a plain file) and \"extract\" (an archive)",
           j.contains("to") ? "both" : "neither");
  }
  if (j.contains("to")) {
    file.to = r.target(j["to"], key + ".to");
    return file;
  }
  const Json& extract = j["extract"];
  if (!extract.is_array() || extract.empty()) {
    r.fail(key + ".extract", "a non-empty array of members", Reader::describe(extract));
  }
  std::set<std::string> members;
  for (std::size_t i = 0; i < extract.size(); ++i) {
    const std::string k = key + ".extract[" + std::to_string(i) + "]";
    r.keys(extract[i], k, {"member", "to", "max_bytes"}, {"member", "to"});
    ExtractMember m;
    m.member = r.string(extract[i]["member"], k + ".member");
    if (m.member.empty()) r.fail(k + ".member", "a member path", "\"\"");
    if (!members.insert(m.member).second) {
      r.fail(k + ".member", "each member named once", quoteForMessage(m.member) + " again");
    }
    m.to = r.target(extract[i]["to"], k + ".to");
    if (extract[i].contains("max_bytes")) {
      m.max_bytes = r.positive(extract[i]["max_bytes"], k + ".max_bytes");
    }
    file.extract.push_back(m);
  }
  return file;
}

CatalogItem readItem(const Reader& r, const Json& j, const std::string& key) {
  r.keys(j, key, {"name", "description", "licence", "pinned_from", "files"}, {"name", "files"});
  CatalogItem item;
  item.name = r.string(j["name"], key + ".name");
  const bool good_name =
      !item.name.empty() && item.name.front() != '.' && item.name.front() != '-' &&
      std::all_of(item.name.begin(), item.name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
      });
  if (!good_name) {
    r.fail(key + ".name", "a name of a-z, 0-9, '.', '_', '-' (not starting with '.' or '-')",
           quoteForMessage(item.name));
  }
  if (j.contains("description"))
    item.description = r.string(j["description"], key + ".description");
  if (j.contains("licence")) item.licence = r.string(j["licence"], key + ".licence");
  if (j.contains("pinned_from"))
    item.pinned_from = r.string(j["pinned_from"], key + ".pinned_from");
  const Json& files = j["files"];
  if (!files.is_array() || files.empty()) {
    r.fail(key + ".files", "a non-empty array of files", Reader::describe(files));
  }
  std::set<std::string> targets;
  for (std::size_t i = 0; i < files.size(); ++i) {
    const std::string k = key + ".files[" + std::to_string(i) + "]";
    CatalogFile file = readFile(r, files[i], k);
    std::vector<std::string> tos;
    if (file.isArchive()) {
      for (const ExtractMember& m : file.extract) tos.push_back(m.to);
    } else {
      tos.push_back(file.to);
    }
    for (const std::string& to : tos) {
      // "a" and "a/b" cannot both be installed: one would be a file and a folder.
      for (const std::string& other : targets) {
        if (to == other || to.rfind(other + "/", 0) == 0 || other.rfind(to + "/", 0) == 0) {
          r.fail(k, "targets (\"to\") that are distinct files",
                 quoteForMessage(to) + " beside " + quoteForMessage(other));
        }
      }
      targets.insert(to);
    }
    item.files.push_back(std::move(file));
  }
  return item;
}

}  // namespace

std::string CatalogFile::fileName() const {
  std::string url = urls.empty() ? std::string() : urls.front();
  url = url.substr(0, url.find_first_of("?#"));
  const std::string last = url.substr(url.rfind('/') + 1);
  return last.empty() ? "download" : last;
}

std::int64_t CatalogFile::memberBound(const ExtractMember& m) const {
  return m.max_bytes > 0 ? m.max_bytes : kDefaultMemberBound * bytes;
}

std::int64_t CatalogItem::downloadBytes() const {
  std::int64_t total = 0;
  for (const CatalogFile& f : files) total += f.bytes;
  return total;
}

std::string CatalogItem::source() const {
  return files.empty() || files.front().urls.empty() ? std::string() : files.front().urls.front();
}

const CatalogItem* Catalog::find(const std::string& name) const {
  for (const CatalogItem& item : items) {
    if (item.name == name) return &item;
  }
  return nullptr;
}

const CatalogItem& Catalog::require(const std::string& name) const {
  if (const CatalogItem* item = find(name)) return *item;
  throw InputError({path, 0, "NAME"}, expectedGot("one of the catalogue's items (" + names() + ")",
                                                  quoteForMessage(name)));
}

std::string Catalog::names() const {
  std::string out;
  for (const CatalogItem& item : items) out += (out.empty() ? "" : ", ") + item.name;
  return out;
}

std::string catalogPath() {
  const char* env = std::getenv("GWB_DATA_CATALOG");
  if (env && *env) return absolutePath(env);
  return (std::filesystem::path(shareDir()) / "data_catalog.json").string();
}

bool isSafeRelativePath(const std::string& relative) {
  if (relative.empty() || relative.front() == '/' || relative.back() == '/') return false;
  for (const char c : relative) {
    if (c == '\\' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  }
  std::size_t start = 0;
  while (start <= relative.size()) {
    const std::size_t end = std::min(relative.find('/', start), relative.size());
    const std::string segment = relative.substr(start, end - start);
    if (segment.empty() || segment == "." || segment == "..") return false;
    start = end + 1;
  }
  return true;
}

Catalog parseCatalog(const std::string& text, const std::string& path) {
  const Reader r(path);
  Json root;
  try {
    root = Json::parse(text);
  } catch (const Json::exception& e) {  // also a number that overflows
    throw InputError(
        {path}, expectedGot("a JSON catalogue", std::string("invalid JSON (") + e.what() + ")"));
  }
  r.keys(root, "", {"about", "items"}, {"items"});
  if (root.contains("about")) r.string(root["about"], "about");
  const Json& items = root["items"];
  if (!items.is_array()) r.fail("items", "an array of items", Reader::describe(items));
  Catalog catalog;
  catalog.path = path;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string key = "items[" + std::to_string(i) + "]";
    CatalogItem item = readItem(r, items[i], key);
    if (catalog.find(item.name)) {
      r.fail(key + ".name", "a name not used by another item", quoteForMessage(item.name));
    }
    catalog.items.push_back(std::move(item));
  }
  return catalog;
}

Catalog loadCatalog(const std::string& path) {
  const std::string text = readFileBytes(path);
  checkUtf8(text, path);
  return parseCatalog(text, path);
}

}  // namespace gwb
