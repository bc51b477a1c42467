#include "bench/FleetGenerator.h"

#include <array>
#include <fstream>
#include <random>
#include <string>
#include <vector>

namespace godwit {
namespace {

constexpr std::array kWords = {"user",  "event",   "session", "count",  "window", "metric", "record",
                               "table", "country", "device",  "stream", "score",  "region", "batch",
                               "job",   "profile", "click",   "search", "ads",    "report"};

// Every spelling godwit must find, and look-alikes it must not rewrite.
constexpr std::array kReferences = {
    "\"acme-prod.core_users.user_profile_v1\"",
    "\"acme-prod:core_users.user_profile_v1\"",
    "\"`acme-prod.core_users.user_profile_v1`\"",
    "\"[acme-prod:core_users.user_profile_v1]\"",
    "\"acme-prod:core_users.user_profile_v1$20240101\"",
    "\"gs://acme-raw/events/playback/2024/01/*.avro\"",
    "\"clicks,playback-events,searches\"",
};
constexpr std::array kNearMisses = {
    "\"acme-prod.core_users.user_profile_v10\"",
    "\"acme-prod.core_users.user_profile_v1_backup\"",
    "\"other-proj.core_users.user_profile_v1\"",
    "\"gs://acme-raw/events/playback_archive/\"",
    "\"playback-events-dlq\"",
};

// The same datasets as SQL names them (BigQuery Runner style `queries/*.sql`).
constexpr std::array kSqlReferences = {
    "`acme-prod.core_users.user_profile_v1`",
    "`acme-prod`.`core_users`.`user_profile_v1`",
    "acme-prod.core_users.user_profile_v1",
};
constexpr std::array kSqlNearMisses = {
    "`acme-prod.core_users.user_profile_v10`",
    "`other-proj.core_users.user_profile_v1`",
    "`acme-prod.core_users.user_profile_v1_backup`",
};

enum class Kind { Scala, Java, Python, Yaml, Json, Conf, Sql };

struct Generator {
  std::mt19937_64 rng;

  size_t pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); }
  std::string word() { return kWords[pick(kWords.size())]; }
  std::string ident() { return word() + "_" + word() + std::to_string(pick(100)); }
  std::string camel() {
    std::string w = word() + word();
    w[0] = static_cast<char>(w[0] - 'a' + 'A');
    return w;
  }

  std::string line(Kind kind, const char* literal) {
    std::string value = "\"";
    value += ident();
    value += ".";
    value += word();
    value += "\"";
    if (literal)
      value = literal;
    else if (kind == Kind::Sql)
      value = "`acme-prod." + word() + "." + ident() + "`";
    switch (kind) {
    case Kind::Scala:
      return "    val " + ident() + " = sc.textFile(" + value + ").map(_.split(\",\")).filter(_.nonEmpty) // " + word() + "\n";
    case Kind::Java:
      return "    String " + ident() + " = options.get" + camel() + "().concat(" + value + "); // " + word() + "\n";
    case Kind::Python:
      return "    " + ident() + " = client.query(" + value + ", timeout=" + std::to_string(pick(60)) + ")  # " + word() + "\n";
    case Kind::Yaml:
      return "  " + ident() + ": " + value + "\n";
    case Kind::Json:
      return "  \"" + ident() + "\": " + value + ",\n";
    case Kind::Conf:
      return ident() + " = " + value + "\n";
    case Kind::Sql:
      return "  SELECT user_id, " + ident() + " FROM " + value + " WHERE " + word() + " > " +
             std::to_string(pick(100)) + "\n  UNION ALL\n";
    }
    return {};
  }

  std::string file(Kind kind, size_t bytes, const std::vector<const char*>& literals) {
    std::string out;
    switch (kind) {
    case Kind::Scala:
      out = "package com.acme." + word() + "\n\nimport com.spotify.scio._\n\nobject " + camel() + "Job {\n  def run(sc: ScioContext): Unit = {\n";
      break;
    case Kind::Java:
      out = "package com.acme." + word() + ";\n\nimport org.apache.beam.sdk.Pipeline;\n\npublic class " + camel() + "Job {\n  void run() {\n";
      break;
    case Kind::Python:
      out = "from google.cloud import bigquery\n\n\ndef " + ident() + "(client):\n";
      break;
    case Kind::Yaml:
      out = word() + ":\n";
      break;
    case Kind::Json:
      out = "{\n";
      break;
    case Kind::Conf:
      out = "# " + word() + " settings\n";
      break;
    case Kind::Sql:
      out = "-- " + word() + " report, scheduled daily\nSELECT user_id, COUNT(*) AS n FROM (\n";
      break;
    }
    // Spread the given literals over the body.
    std::vector<size_t> at;
    for (size_t i = 0; i < literals.size(); ++i)
      at.push_back(pick(bytes / 80 + 1));
    size_t n = 0;
    while (out.size() < bytes) {
      const char* literal = nullptr;
      for (size_t i = 0; i < at.size(); ++i)
        if (at[i] == n)
          literal = literals[i];
      out += line(kind, literal);
      ++n;
    }
    for (size_t i = 0; i < at.size(); ++i)
      if (at[i] >= n)
        out += line(kind, literals[i]);
    switch (kind) {
    case Kind::Scala:
    case Kind::Java:
      out += "  }\n}\n";
      break;
    case Kind::Json:
      out += "  \"end\": true\n}\n";
      break;
    case Kind::Sql:
      out += "  SELECT user_id, 0 FROM `acme-prod.reporting.empty`\n)\nGROUP BY user_id\n";
      break;
    default:
      break;
    }
    return out;
  }
};

} // namespace

Expected<FleetStats> generateFleet(const std::filesystem::path& dir, const FleetSpec& spec) {
  namespace fs = std::filesystem;
  Generator g{std::mt19937_64(spec.seed)};
  FleetStats stats;
  static const std::array<std::pair<Kind, const char*>, 7> kinds = {
      {{Kind::Scala, ".scala"},
       {Kind::Java, ".java"},
       {Kind::Python, ".py"},
       {Kind::Sql, ".sql"},
       {Kind::Yaml, ".yaml"},
       {Kind::Json, ".json"},
       {Kind::Conf, ".conf"}}};
  std::error_code ec;
  for (size_t i = 0; i < spec.files; ++i) {
    // 25% Scala, 25% Java, 20% Python, 10% SQL, 20% YAML, JSON and HOCON.
    const size_t slot = i % 20;
    const auto& [kind, ext] = kinds[slot < 5    ? 0
                                    : slot < 10 ? 1
                                    : slot < 14 ? 2
                                    : slot < 16 ? 3
                                                : 4 + g.pick(3)];
    std::vector<const char*> literals;
    const double roll = std::uniform_real_distribution<double>(0, 1)(g.rng);
    const bool sql = kind == Kind::Sql;
    if (roll < spec.referenceShare) {
      literals.push_back(sql ? kSqlReferences[g.pick(kSqlReferences.size())]
                             : kReferences[g.pick(kReferences.size())]);
      ++stats.withReferences;
    } else if (roll < spec.referenceShare + spec.nearMissShare) {
      literals.push_back(sql ? kSqlNearMisses[g.pick(kSqlNearMisses.size())]
                             : kNearMisses[g.pick(kNearMisses.size())]);
      ++stats.withNearMisses;
    }
    const size_t bytes = spec.meanBytes / 2 + g.pick(spec.meanBytes);
    const fs::path path = dir / ("repo-" + std::to_string(i / 100)) / "src" /
                          (g.word() + "-" + std::to_string(i) + ext);
    fs::create_directories(path.parent_path(), ec);
    if (ec)
      return Error{"cannot create folder: " + ec.message(), path.parent_path().string(), 0, 0, ""};
    const std::string text = g.file(kind, bytes, literals);
    std::ofstream out(path, std::ios::binary);
    out << text;
    if (!out)
      return Error{"cannot write file", path.string(), 0, 0, "check free disk space"};
    ++stats.files;
    stats.bytes += text.size();
  }
  return stats;
}

} // namespace godwit
