// HttpTestServer: one thread accepts, one thread per connection answers one request and closes
// ("Connection: close"), which is all libcurl needs and keeps drops and stalls simple.
#include "http_test_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace gwb::test {
namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  const auto e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

const char* reasonOf(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 206:
      return "Partial Content";
    case 302:
      return "Found";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 416:
      return "Range Not Satisfiable";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

/// Reads the request head (up to the blank line), at most 5 s and 64 kB.
bool readHead(int fd, std::string& head) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  char buf[4096];
  while (head.find("\r\n\r\n") == std::string::npos && head.size() < 65536) {
    pollfd p{fd, POLLIN, 0};
    const int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                          until - std::chrono::steady_clock::now())
                                          .count());
    if (left <= 0 || ::poll(&p, 1, left) <= 0) return false;
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return false;
    head.append(buf, static_cast<std::size_t>(n));
  }
  return head.find("\r\n\r\n") != std::string::npos;
}

bool safePath(const std::string& path) {
  if (path.empty() || path[0] != '/') return false;
  std::istringstream parts(path.substr(1));
  std::string part;
  while (std::getline(parts, part, '/')) {
    if (part == "..") return false;
  }
  return true;
}

}  // namespace

HttpTestServer::HttpTestServer(std::string root) : root_(std::move(root)) {
  listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listener_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  int one = 1;
  ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listener_, 64) != 0) {
    const std::string reason = std::strerror(errno);
    ::close(listener_);
    throw std::runtime_error("bind/listen on 127.0.0.1: " + reason);
  }
  socklen_t len = sizeof addr;
  ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { acceptLoop(); });
}

HttpTestServer::~HttpTestServer() {
  stop_ = true;
  releaseStalls();
  if (acceptor_.joinable()) acceptor_.join();
  ::close(listener_);
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    threads.swap(connections_);
  }
  for (std::thread& t : threads) t.join();
}

std::string HttpTestServer::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

void HttpTestServer::setRule(const std::string& path, const ServeRule& rule) {
  std::lock_guard<std::mutex> lock(mutex_);
  rules_[path] = rule;
  answered_[path] = 0;
}

void HttpTestServer::clearRules() {
  std::lock_guard<std::mutex> lock(mutex_);
  rules_.clear();
  answered_.clear();
}

std::vector<RequestRecord> HttpTestServer::requests() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return requests_;
}

std::vector<RequestRecord> HttpTestServer::requestsFor(const std::string& path) const {
  std::vector<RequestRecord> out;
  for (const RequestRecord& r : requests()) {
    if (r.path == path) out.push_back(r);
  }
  return out;
}

void HttpTestServer::clearRequests() {
  std::lock_guard<std::mutex> lock(mutex_);
  requests_.clear();
}

void HttpTestServer::releaseStalls() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++releases_;
  }
  stall_cv_.notify_all();
}

void HttpTestServer::acceptLoop() {
  while (!stop_) {
    pollfd p{listener_, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    std::lock_guard<std::mutex> lock(mutex_);
    connections_.emplace_back([this, fd] { serve(fd); });
  }
}

void HttpTestServer::sendAll(int fd, const char* data, std::size_t size) const {
  while (size > 0) {
    const ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw std::runtime_error("client went away");
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

void HttpTestServer::serve(int fd) {
  std::string head;
  if (!readHead(fd, head)) {
    ::close(fd);
    return;
  }
  RequestRecord record;
  std::istringstream lines(head);
  std::string line;
  std::getline(lines, line);
  std::istringstream first(trim(line));
  first >> record.method >> record.target;
  while (std::getline(lines, line)) {
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    const std::string name = lower(trim(line.substr(0, colon)));
    const std::string value = trim(line.substr(colon + 1));
    if (name == "range") record.range = value;
    if (name == "user-agent") record.user_agent = value;
  }
  record.path = record.target;
  if (record.path.rfind("http://", 0) == 0) {  // a proxy request: GET http://host/path
    record.absolute_target = true;
    const auto slash = record.path.find('/', 7);
    record.path = slash == std::string::npos ? "/" : record.path.substr(slash);
  }
  record.path = record.path.substr(0, record.path.find('?'));

  ServeRule rule;
  int answered = 0;
  std::size_t index = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto it = rules_.find(record.path);
    if (it != rules_.end()) rule = it->second;
    answered = answered_[record.path]++;
    index = requests_.size();
    requests_.push_back(record);
  }
  int status = 200;
  std::string extra_headers, body;
  if (rule.status != 0) {
    status = rule.status;
    body = "<html><body>" + std::to_string(status) + "</body></html>\n";
  } else if (!rule.redirect.empty()) {
    status = 302;
    extra_headers = "Location: " + rule.redirect + "\r\n";
  } else if (rule.replace_body) {
    body = rule.body;
  } else {
    std::ifstream in(root_ + record.path, std::ios::binary);
    if (!safePath(record.path) || !in) {
      status = 404;
      body = "<html><body>not found</body></html>\n";
    } else {
      body.assign(std::istreambuf_iterator<char>(in), {});
    }
  }
  std::int64_t start = 0;
  std::int64_t end = static_cast<std::int64_t>(body.size());
  if (status == 200 && !record.range.empty() && !rule.ignore_range) {
    long long from = -1, to = -1;
    const int fields = std::sscanf(record.range.c_str(), "bytes=%lld-%lld", &from, &to);
    const auto size = static_cast<long long>(body.size());
    if (fields >= 1 && from >= size) {
      status = 416;
      extra_headers = "Content-Range: bytes */" + std::to_string(size) + "\r\n";
      start = end = 0;
    } else if (fields >= 1 && from >= 0) {
      status = 206;
      start = from;
      if (fields == 2 && to >= from && to < size) end = to + 1;
      extra_headers = "Content-Range: bytes " + std::to_string(start) + "-" +
                      std::to_string(end - 1) + "/" + std::to_string(size) + "\r\n";
    }
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    requests_[index].status = status;
  }
  const bool drop = rule.drop_after >= 0 && (rule.drops < 0 || answered < rule.drops);
  std::int64_t sent = 0;
  try {
    const std::string header = "HTTP/1.1 " + std::to_string(status) + " " + reasonOf(status) +
                               "\r\nContent-Length: " + std::to_string(end - start) +
                               "\r\nContent-Type: application/octet-stream\r\n" + extra_headers +
                               "Connection: close\r\n\r\n";
    sendAll(fd, header.data(), header.size());
    const auto began = std::chrono::steady_clock::now();
    const std::int64_t chunk = 16384;
    while (start + sent < end) {
      std::int64_t n = std::min(chunk, end - start - sent);
      if (drop) n = std::min(n, rule.drop_after - sent);
      if (rule.stall_after >= 0) n = std::min(n, rule.stall_after - sent);
      if (n <= 0) break;
      sendAll(fd, body.data() + start + sent, static_cast<std::size_t>(n));
      sent += n;
      if (rule.bytes_per_s > 0) {
        const auto due = began + std::chrono::microseconds(sent * 1000000 / rule.bytes_per_s);
        std::this_thread::sleep_until(due);
      }
      if (stop_) break;
    }
    if (rule.stall_after >= 0 && sent >= rule.stall_after && start + sent < end) {
      std::unique_lock<std::mutex> lock(mutex_);
      const std::uint64_t seen = releases_;
      stall_cv_.wait_for(lock, std::chrono::seconds(60),
                         [&] { return releases_ != seen || stop_.load(); });
    }
  } catch (const std::runtime_error&) {
    // The client closed the connection (a cancel, a timeout): nothing more to send.
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    requests_[index].body_sent = sent;
  }
  // Send FIN after the data and let the client read it all before the descriptor goes.
  ::shutdown(fd, SHUT_WR);
  char drain[512];
  pollfd p{fd, POLLIN, 0};
  while (::poll(&p, 1, 200) > 0 && ::recv(fd, drain, sizeof drain, 0) > 0) {
  }
  ::close(fd);
}

}  // namespace gwb::test
