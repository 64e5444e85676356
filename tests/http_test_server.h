// A small, real HTTP/1.1 server for the data manager's tests (no web host is reachable here): it
// listens on 127.0.0.1 with a port the kernel picks, serves the files of a folder (Range
// included), and can be told, per path, to answer a status (403, 404, 500), redirect, drop the
// connection after N body bytes, stall, ignore Range, send other bytes or throttle. It also acts
// as a plain HTTP proxy (absolute request targets). POSIX sockets and threads only: no Qt.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace gwb::test {

/// How the server answers requests for one path.
struct ServeRule {
  int status = 0;                 ///< answer this status (with a short HTML body) instead
  std::string redirect;           ///< answer 302 with this Location (a path or a URL)
  std::int64_t drop_after = -1;   ///< close the connection after this many body bytes...
  int drops = 1;                  ///< ...in the first `drops` answers for the path (-1: always)
  std::int64_t stall_after = -1;  ///< stop sending after this many body bytes, connection open
  bool ignore_range = false;      ///< answer Range requests with 200 and the whole file
  bool replace_body = false;      ///< serve `body` instead of the file
  std::string body;
  std::int64_t bytes_per_s = 0;  ///< throttle the body (0: as fast as possible)
};

/// One request as the server saw it, and what it did.
struct RequestRecord {
  std::string method, target, path, range, user_agent;
  bool absolute_target = false;  ///< "GET http://host/path" (a proxy request)
  int status = 0;                ///< the status answered
  std::int64_t body_sent = 0;    ///< body bytes written before the answer ended
};

class HttpTestServer {
 public:
  /// Starts serving `root` on 127.0.0.1:<free port>. Throws std::runtime_error if it cannot.
  explicit HttpTestServer(std::string root);
  /// Stops: ends stalls, closes the listener, joins every connection thread.
  ~HttpTestServer();
  HttpTestServer(const HttpTestServer&) = delete;
  HttpTestServer& operator=(const HttpTestServer&) = delete;

  int port() const { return port_; }
  /// "http://127.0.0.1:PORT" + path.
  std::string url(const std::string& path) const;

  void setRule(const std::string& path, const ServeRule& rule);
  void clearRules();
  std::vector<RequestRecord> requests() const;
  /// The requests for `path` only.
  std::vector<RequestRecord> requestsFor(const std::string& path) const;
  void clearRequests();
  /// Lets stalled answers end (their connections are closed).
  void releaseStalls();

 private:
  void acceptLoop();
  void serve(int fd);
  void sendAll(int fd, const char* data, std::size_t size) const;

  std::string root_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread acceptor_;
  mutable std::mutex mutex_;
  std::condition_variable stall_cv_;
  std::uint64_t releases_ = 0;  ///< releaseStalls() calls so far
  std::vector<std::thread> connections_;
  std::map<std::string, ServeRule> rules_;
  std::map<std::string, int> answered_;  ///< answers per path, for ServeRule::drops
  std::vector<RequestRecord> requests_;
};

}  // namespace gwb::test
