// gwb-test-http-server ROOT [--drop PATH=BYTES]... [--throttle BYTES_PER_S]: the tests' loopback
// server as a program, for measuring a fetch by hand (a 100 MB file with a drop in the middle).
// Prints its base URL, serves until SIGINT / SIGTERM, then prints each request it answered.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "http_test_server.h"

namespace {
volatile std::sig_atomic_t g_stop = 0;
void onSignal(int) { g_stop = 1; }
}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s ROOT [--drop PATH=BYTES]... [--throttle BYTES_PER_S]\n",
                 argv[0]);
    return 2;
  }
  gwb::test::HttpTestServer server(argv[1]);
  std::int64_t throttle = 0;
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--drop" && value.find('=') != std::string::npos) {
      gwb::test::ServeRule rule;
      rule.drop_after = std::atoll(value.substr(value.find('=') + 1).c_str());
      rule.bytes_per_s = throttle;
      server.setRule(value.substr(0, value.find('=')), rule);
    } else if (flag == "--throttle") {
      throttle = std::atoll(value.c_str());
    } else {
      std::fprintf(stderr, "unknown argument %s\n", flag.c_str());
      return 2;
    }
  }
  std::signal(SIGINT, onSignal);
  std::signal(SIGTERM, onSignal);
  std::printf("%s\n", server.url("").c_str());
  std::fflush(stdout);
  while (!g_stop) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  for (const auto& r : server.requests()) {
    std::printf("%s %s range=%s status=%d sent=%lld agent=%s\n", r.method.c_str(), r.target.c_str(),
                r.range.c_str(), r.status, static_cast<long long>(r.body_sent),
                r.user_agent.c_str());
  }
  return 0;
}
