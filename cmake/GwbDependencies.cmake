# Finds every dependency of ARCHITECTURE.md. All are Debian 12 packages (README.md installs them);
# on the GPU machine pcre2 and utf8proc may come from unpacked .debs under GWB_DEPS_PREFIX.
set(GWB_DEPS_PREFIX "" CACHE PATH "Extra prefix holding unpacked dependencies (e.g. .deps/usr)")
if(GWB_DEPS_PREFIX)
  list(APPEND CMAKE_PREFIX_PATH ${GWB_DEPS_PREFIX})
  set(OPENSSL_ROOT_DIR ${GWB_DEPS_PREFIX})
endif()

# A library found by pkg-config, or else in GWB_DEPS_PREFIX (unpacked .debs carry .pc files whose
# prefix is /usr, so there the header and library are looked up directly). Defines PkgConfig::<name>.
function(gwb_find_library name module header library)
  set(PKG_CONFIG_USE_CMAKE_PREFIX_PATH OFF)  # not the unpacked .pc files: their prefix is /usr
  pkg_check_modules(${name} QUIET IMPORTED_TARGET GLOBAL ${module})
  if(TARGET PkgConfig::${name})
    return()
  endif()
  find_path(${name}_HEADER_DIR ${header} PATHS ${GWB_DEPS_PREFIX}/include NO_DEFAULT_PATH)
  find_library(${name}_LIB NAMES ${library}
               PATHS ${GWB_DEPS_PREFIX}/lib/${CMAKE_LIBRARY_ARCHITECTURE} ${GWB_DEPS_PREFIX}/lib NO_DEFAULT_PATH)
  if(NOT ${name}_HEADER_DIR OR NOT ${name}_LIB)
    message(FATAL_ERROR "${module} not found: install its -dev package or unpack it into GWB_DEPS_PREFIX "
                        "(scripts/prepare_device_deps.sh)")
  endif()
  add_library(PkgConfig::${name} INTERFACE IMPORTED GLOBAL)
  target_include_directories(PkgConfig::${name} INTERFACE ${${name}_HEADER_DIR})
  target_link_libraries(PkgConfig::${name} INTERFACE ${${name}_LIB})
  message(STATUS "${module}: ${${name}_LIB} (from GWB_DEPS_PREFIX)")
endfunction()

find_package(Threads REQUIRED)
find_package(ZLIB REQUIRED)
find_package(OpenSSL REQUIRED COMPONENTS Crypto)
find_package(nlohmann_json 3.9 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(PkgConfig REQUIRED)
gwb_find_library(PCRE2 libpcre2-8 pcre2.h pcre2-8)
gwb_find_library(UTF8PROC libutf8proc utf8proc.h utf8proc)
if(GWB_CORE_ONLY)
  set(GWB_WITH_CUDA OFF)
  return()  # the torch-free core needs nothing more
endif()
find_package(Torch REQUIRED)

# CUDA: the fused kernels (.cu, CUDA headers only) compile wherever nvcc is found, for sm_90 unless
# CMAKE_CUDA_ARCHITECTURES says otherwise, so CI compiles them on every submission. They are
# linked, with the torch glue, only when the LibTorch found has CUDA (GWB_WITH_CUDA).
include(CheckLanguage)
check_language(CUDA)
if(CMAKE_CUDA_COMPILER)
  if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
    set(CMAKE_CUDA_ARCHITECTURES 90)
  endif()
  enable_language(CUDA)
endif()
option(GWB_CUDA_GLUE "With a CUDA LibTorch, build the fused kernels and the graph-captured step" ON)
if(NOT GWB_CUDA_GLUE)
  set(GWB_WITH_CUDA OFF)  # LibTorch's own CUDA kernels only (bench/device.sh's fallback build)
elseif(TORCH_CUDA_LIBRARIES OR TARGET torch_cuda OR TARGET c10_cuda)
  if(NOT CMAKE_CUDA_COMPILER)
    message(FATAL_ERROR "This LibTorch has CUDA: nvcc is needed for the fused kernels")
  endif()
  set(GWB_WITH_CUDA ON)
  message(STATUS "LibTorch with CUDA: building the fused kernels and the CUDA training path")
else()
  set(GWB_WITH_CUDA OFF)
endif()

if(GWB_BUILD_GUI)
  find_package(Qt6 6.2 REQUIRED COMPONENTS Core Gui Widgets PrintSupport Concurrent Test)
  find_package(QCustomPlotQt6 REQUIRED)
  # moc/rcc run only in the Qt folders (plotting/, ui/, tests/, the GUI target), not for the
  # engine or gwb.
endif()
