#pragma once
// Pages as a person sees them: headless Chromium's screenshot of a URL (a file or a server on
// loopback), decoded with libpng, and where pixels of one color lie in it.

#include <png.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace godwit::screenshot {

/// A decoded screenshot, RGB.
struct Image {
  unsigned width = 0, height = 0;
  std::vector<unsigned char> rgb;
  const unsigned char* at(unsigned x, unsigned y) const { return &rgb[(y * width + x) * 3]; }
};

/// The PNG at `path`; empty when it does not decode.
inline Image readPng(const std::filesystem::path& path) {
  png_image png{};
  png.version = PNG_IMAGE_VERSION;
  Image out;
  if (!png_image_begin_read_from_file(&png, path.c_str()))
    return out;
  png.format = PNG_FORMAT_RGB;
  out.rgb.resize(PNG_IMAGE_SIZE(png));
  if (!png_image_finish_read(&png, nullptr, out.rgb.data(), 0, nullptr)) {
    out.rgb.clear();
    return out;
  }
  out.width = png.width;
  out.height = png.height;
  return out;
}

/// Headless Chromium's 1000×1200 screenshot of `url`, with its profile, log (`chromium.log`)
/// and PNG in `dir`; an empty Image when Chromium failed or is not installed.
inline Image capture(const std::string& url, const std::filesystem::path& dir) {
  const std::filesystem::path shot = dir / "shot.png";
  const std::string command =
      std::string("chromium --headless --disable-gpu --hide-scrollbars --no-first-run ") +
      (::geteuid() == 0 ? "--no-sandbox " : "") + "--user-data-dir=" + (dir / "profile").string() +
      " --window-size=1000,1200 --screenshot=" + shot.string() + " '" + url + "' >" +
      (dir / "chromium.log").string() + " 2>&1";
  if (std::system(command.c_str()) != 0)
    return {};
  return readPng(shot);
}

/// How many pixels are darker than light grey: a blank page has almost none.
inline size_t ink(const Image& image) {
  size_t n = 0;
  for (size_t i = 0; i + 2 < image.rgb.size(); i += 3)
    n += image.rgb[i] + image.rgb[i + 1] + image.rgb[i + 2] < 600 ? 1 : 0;
  return n;
}

/// Where pixels of one color lie in the screenshot.
struct Found {
  size_t count = 0;
  unsigned minX = ~0u, maxX = 0, minY = ~0u;
  std::vector<std::pair<unsigned, unsigned>> xy;
};

/// The pixels within 24 of (`r`, `g`, `b`) on every channel.
inline Found find(const Image& image, int r, int g, int b) {
  Found f;
  for (unsigned y = 0; y < image.height; ++y)
    for (unsigned x = 0; x < image.width; ++x) {
      const unsigned char* p = image.at(x, y);
      if (std::abs(p[0] - r) < 24 && std::abs(p[1] - g) < 24 && std::abs(p[2] - b) < 24) {
        ++f.count;
        f.minX = std::min(f.minX, x);
        f.maxX = std::max(f.maxX, x);
        f.minY = std::min(f.minY, y);
        f.xy.emplace_back(x, y);
      }
    }
  return f;
}

/// The mean height of `f`'s pixels within `[x0, x1)`; -1 when there are none.
inline double meanY(const Found& f, unsigned x0, unsigned x1) {
  double sum = 0;
  size_t n = 0;
  for (const auto& [x, y] : f.xy)
    if (x >= x0 && x < x1) {
      sum += y;
      ++n;
    }
  return n ? sum / static_cast<double>(n) : -1;
}

} // namespace godwit::screenshot
