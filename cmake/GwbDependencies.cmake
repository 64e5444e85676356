# Finds every dependency of ARCHITECTURE.md. All are Debian 12 packages (README.md installs them);
# on the GPU machine pcre2 and utf8proc may come from unpacked .debs under GWB_DEPS_PREFIX.
set(GWB_DEPS_PREFIX "" CACHE PATH "Extra prefix holding unpacked dependencies (e.g. .deps/usr)")
if(GWB_DEPS_PREFIX)
  list(APPEND CMAKE_PREFIX_PATH ${GWB_DEPS_PREFIX})
  set(ENV{PKG_CONFIG_PATH}
      "${GWB_DEPS_PREFIX}/lib/x86_64-linux-gnu/pkgconfig:${GWB_DEPS_PREFIX}/share/pkgconfig:$ENV{PKG_CONFIG_PATH}")
endif()

find_package(Threads REQUIRED)
find_package(ZLIB REQUIRED)
find_package(OpenSSL REQUIRED COMPONENTS Crypto)
find_package(nlohmann_json 3.9 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(PCRE2 REQUIRED IMPORTED_TARGET libpcre2-8)
pkg_check_modules(UTF8PROC REQUIRED IMPORTED_TARGET libutf8proc)
find_package(Torch REQUIRED)

if(GWB_BUILD_GUI)
  find_package(Qt6 6.2 REQUIRED COMPONENTS Core Gui Widgets PrintSupport Concurrent Test)
  find_package(QCustomPlotQt6 REQUIRED)
  # moc/rcc run only in the Qt folders (plotting/, ui/, tests/, the GUI target), not for the
  # engine or gwb.
endif()
