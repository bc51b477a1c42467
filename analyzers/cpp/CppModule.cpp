// The C++ analyzer lives in a module (libgodwit-cpp.so) that links LLVM and Clang. Loading those
// costs more than a whole scan of a small checkout, so only a run that meets C++ files loads it.
#include "analyzers/cpp/Cpp.h"

#include <dlfcn.h>
#include <unistd.h>

#include <filesystem>
#include <mutex>

namespace godwit {
namespace {

using MakeFn = Analyzer* (*)(const std::vector<const Rule*>&, const AnalyzerContext&, Error&);

struct Module {
  MakeFn make = nullptr;
  std::string why; ///< Why it could not be loaded.
};

const Module& module() {
  static Module m;
  static std::once_flag once;
  std::call_once(once, [] {
    // Installed next to the binary (bin/../lib), else where this build put it.
    std::vector<std::filesystem::path> candidates;
    std::error_code ec;
    const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec)
      candidates.push_back(exe.parent_path().parent_path() / "lib" / "libgodwit-cpp.so");
    candidates.emplace_back(GODWIT_MODULE_DIR "/libgodwit-cpp.so");
    for (const auto& path : candidates) {
      if (!std::filesystem::exists(path, ec))
        continue;
      void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
      if (handle == nullptr) {
        m.why = ::dlerror();
        return;
      }
      m.make = reinterpret_cast<MakeFn>(::dlsym(handle, "godwit_make_cpp_analyzer"));
      if (m.make == nullptr)
        m.why = path.string() + " has no godwit_make_cpp_analyzer";
      return;
    }
    m.why = "libgodwit-cpp.so is in neither " + candidates.front().parent_path().string() +
            " nor " GODWIT_MODULE_DIR;
  });
  return m;
}

} // namespace

Expected<std::unique_ptr<Analyzer>> makeCppAnalyzer(const std::vector<const Rule*>& rules,
                                                    const AnalyzerContext& context) {
  const Module& m = module();
  if (m.make == nullptr)
    return makeError("the C++ analyzer cannot be loaded: " + m.why,
                     "build it (cmake --build build --target godwit-cpp), or skip C++ files with "
                     "--exclude '*.cc' --exclude '*.h' …");
  Error error;
  std::unique_ptr<Analyzer> analyzer(m.make(rules, context, error));
  if (!analyzer)
    return error;
  return analyzer;
}

} // namespace godwit
