#include "bot/github/Auth.h"
#include "bot/github/GitHubClient.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <filesystem>
#include <fstream>
#include <map>

namespace godwit {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

/// An RSA key pair generated for the test, as PEM text.
struct KeyPair {
  std::string privatePem;      ///< PKCS#8 (`BEGIN PRIVATE KEY`).
  std::string privatePemPkcs1; ///< PKCS#1 (`BEGIN RSA PRIVATE KEY`), what GitHub hands out.
  std::string publicPem;
};

std::string bioText(BIO* bio) {
  char* data = nullptr;
  long length = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(length));
}

const KeyPair& testKey() {
  static const KeyPair pair = [] {
    KeyPair out;
    EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048));
    EXPECT_NE(key, nullptr);
    BIO* priv = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(priv, key, nullptr, nullptr, 0, nullptr, nullptr);
    out.privatePem = bioText(priv);
    BIO_free(priv);
    BIO* trad = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey_traditional(trad, key, nullptr, nullptr, 0, nullptr, nullptr);
    out.privatePemPkcs1 = bioText(trad);
    BIO_free(trad);
    BIO* pub = BIO_new(BIO_s_mem());
    PEM_write_bio_PUBKEY(pub, key);
    out.publicPem = bioText(pub);
    BIO_free(pub);
    EVP_PKEY_free(key);
    return out;
  }();
  return pair;
}

bool verifyRs256(const std::string& signingInput, const std::string& signature,
                 const std::string& publicPem) {
  BIO* bio = BIO_new_mem_buf(publicPem.data(), static_cast<int>(publicPem.size()));
  EVP_PKEY* key = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (!key)
    return false;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
            EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()),
                             signature.size(),
                             reinterpret_cast<const unsigned char*>(signingInput.data()),
                             signingInput.size()) == 1;
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(key);
  return ok;
}

struct Jwt {
  json header, claims;
  std::string signingInput, signature;
};

Jwt splitJwt(const std::string& token) {
  size_t a = token.find('.');
  size_t b = token.find('.', a + 1);
  EXPECT_NE(a, std::string::npos);
  EXPECT_NE(b, std::string::npos);
  EXPECT_EQ(token.find('.', b + 1), std::string::npos);
  Jwt jwt;
  jwt.header = json::parse(base64UrlDecode(token.substr(0, a)).value());
  jwt.claims = json::parse(base64UrlDecode(token.substr(a + 1, b - a - 1)).value());
  jwt.signingInput = token.substr(0, b);
  jwt.signature = base64UrlDecode(token.substr(b + 1)).value();
  return jwt;
}

const std::chrono::system_clock::time_point kNow =
    std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));

TEST(AuthTest, Base64UrlMatchesRfc4648Vectors) {
  EXPECT_EQ(base64UrlEncode(""), "");
  EXPECT_EQ(base64UrlEncode("f"), "Zg");
  EXPECT_EQ(base64UrlEncode("fo"), "Zm8");
  EXPECT_EQ(base64UrlEncode("foo"), "Zm9v");
  EXPECT_EQ(base64UrlEncode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64UrlEncode(std::string("\xfb\xff", 2)), "-_8");
  EXPECT_EQ(base64UrlDecode("-_8").value(), std::string("\xfb\xff", 2));
  EXPECT_EQ(base64UrlDecode("Zm9vYg==").value(), "foob");
  EXPECT_FALSE(base64UrlDecode("Zm9v+").hasValue());
}

TEST(AuthTest, AppJwtIsRs256WithGitHubsClaimsAndVerifies) {
  auto token = makeAppJwt("12345", testKey().privatePem, kNow);
  ASSERT_TRUE(token.hasValue()) << token.error().str();
  Jwt jwt = splitJwt(*token);
  EXPECT_EQ(jwt.header, json({{"alg", "RS256"}, {"typ", "JWT"}}));
  EXPECT_EQ(jwt.claims["iss"], 12345);
  EXPECT_EQ(jwt.claims["iat"], 1'700'000'000 - 60);
  long long exp = jwt.claims["exp"].get<long long>();
  EXPECT_GT(exp, 1'700'000'000);
  EXPECT_LE(exp, 1'700'000'000 + 600);
  EXPECT_TRUE(verifyRs256(jwt.signingInput, jwt.signature, testKey().publicPem));
}

TEST(AuthTest, AppJwtSignatureFailsForATamperedPayload) {
  auto token = makeAppJwt("12345", testKey().privatePem, kNow);
  ASSERT_TRUE(token.hasValue());
  Jwt jwt = splitJwt(*token);
  std::string forged = base64UrlEncode(R"({"alg":"RS256","typ":"JWT"})") + "." +
                       base64UrlEncode(R"({"exp":1700000540,"iat":1699999940,"iss":99999})");
  EXPECT_FALSE(verifyRs256(forged, jwt.signature, testKey().publicPem));
}

TEST(AuthTest, AppJwtAcceptsGitHubsPkcs1KeyAndAClientIdIssuer) {
  auto token = makeAppJwt("Iv1.abc123", testKey().privatePemPkcs1, kNow);
  ASSERT_TRUE(token.hasValue()) << token.error().str();
  Jwt jwt = splitJwt(*token);
  EXPECT_EQ(jwt.claims["iss"], "Iv1.abc123");
  EXPECT_TRUE(verifyRs256(jwt.signingInput, jwt.signature, testKey().publicPem));
}

TEST(AuthTest, UnreadableKeyIsAnErrorThatDoesNotEchoTheKey) {
  std::string bogus = "-----BEGIN RSA PRIVATE KEY-----\nc2VjcmV0LWtleS1tYXRlcmlhbA==\n"
                      "-----END RSA PRIVATE KEY-----\n";
  auto token = makeAppJwt("1", bogus, kNow);
  ASSERT_FALSE(token.hasValue());
  EXPECT_NE(token.error().message.find("private key"), std::string::npos);
  EXPECT_EQ(token.error().str().find("c2VjcmV0"), std::string::npos);
  EXPECT_FALSE(makeAppJwt("1", testKey().publicPem, kNow).hasValue());
  EXPECT_FALSE(makeAppJwt("", testKey().privatePem, kNow).hasValue());
}

TEST(AuthTest, InstallationTokenIsParsedAndRenewedFiveMinutesBeforeExpiry) {
  auto token = parseInstallationToken(R"({"token":"ghs_abc","expires_at":"2023-11-14T23:13:20Z"})");
  ASSERT_TRUE(token.hasValue()) << token.error().str();
  EXPECT_EQ(token->token, "ghs_abc");
  EXPECT_EQ(token->expiresAt, kNow + std::chrono::hours(1));
  EXPECT_FALSE(needsRenewal(*token, kNow));
  EXPECT_FALSE(needsRenewal(*token, kNow + std::chrono::minutes(54)));
  EXPECT_TRUE(needsRenewal(*token, kNow + std::chrono::minutes(55)));
  EXPECT_TRUE(needsRenewal(*token, kNow + std::chrono::minutes(61)));
  EXPECT_TRUE(needsRenewal(InstallationToken{}, kNow));
  EXPECT_FALSE(parseInstallationToken(R"({"expires_at":"2023-11-14T23:13:20Z"})").hasValue());
  EXPECT_FALSE(parseInstallationToken("not json").hasValue());
}

TEST(AuthTest, IsoTimesParseAsUtc) {
  EXPECT_EQ(parseIsoUtc("2023-11-14T22:13:20Z").value(), kNow);
  EXPECT_EQ(parseIsoUtc("2023-11-14T22:13:20.123Z").value(), kNow);
  EXPECT_FALSE(parseIsoUtc("2023-11-14T22:13:20+02:00").hasValue());
  EXPECT_FALSE(parseIsoUtc("yesterday").hasValue());
}

TEST(AuthTest, RedactReplacesEverySecretOccurrence) {
  EXPECT_EQ(redact("a ghp_X b ghp_X c ghs_Y", {"ghp_X", "ghs_Y", ""}), "a *** b *** c ***");
  EXPECT_EQ(redact("nothing here", {"ghp_X"}), "nothing here");
}

// --- configuration from flags and environment

class ConfigTest : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("godwit-config-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
    return (dir_ / name).string();
  }
  Expected<CodeHostConfig> resolve(const CodeHostFlags& flags) {
    return resolveCodeHostConfig(flags, [this](const std::string& name) {
      auto it = env_.find(name);
      return it == env_.end() ? std::optional<std::string>() : it->second;
    });
  }
  fs::path dir_;
  std::map<std::string, std::string> env_;
};

TEST_F(ConfigTest, TokenFromEnvironmentAndDefaultApiUrl) {
  env_["GITHUB_TOKEN"] = "ghp_env\n";
  auto config = resolve({});
  ASSERT_TRUE(config.hasValue()) << config.error().str();
  EXPECT_EQ(config->apiUrl, "https://api.github.com");
  EXPECT_EQ(config->token, "ghp_env");
  EXPECT_TRUE(config->appId.empty());
}

TEST_F(ConfigTest, ApiUrlFromFlagBeatsEnvironment) {
  env_["GITHUB_TOKEN"] = "t";
  env_["GODWIT_API_URL"] = "https://ghe.example.com/api/v3/";
  EXPECT_EQ(resolve({})->apiUrl, "https://ghe.example.com/api/v3");
  CodeHostFlags flags;
  flags.apiUrl = "https://other.example.com/api/v3";
  EXPECT_EQ(resolve(flags)->apiUrl, "https://other.example.com/api/v3");
}

TEST_F(ConfigTest, TokenFileBeatsEnvironment) {
  env_["GITHUB_TOKEN"] = "ghp_env";
  CodeHostFlags flags;
  flags.tokenFile = write("token", "ghp_file\n");
  EXPECT_EQ(resolve(flags)->token, "ghp_file");
  flags.tokenFile = write("empty", "\n");
  auto empty = resolve(flags);
  ASSERT_FALSE(empty.hasValue());
  EXPECT_EQ(empty.error().file, flags.tokenFile);
  flags.tokenFile = (dir_ / "missing").string();
  EXPECT_FALSE(resolve(flags).hasValue());
}

TEST_F(ConfigTest, GitHubAppNeedsAllThreeFlagsAndReadsTheKey) {
  env_["GITHUB_TOKEN"] = "ghp_ignored_when_an_app_is_configured";
  CodeHostFlags flags;
  flags.appId = "42";
  auto partial = resolve(flags);
  ASSERT_FALSE(partial.hasValue());
  EXPECT_NE(partial.error().message.find("--private-key"), std::string::npos);
  EXPECT_NE(partial.error().message.find("--installation-id"), std::string::npos);

  flags.privateKeyFile = write("app.pem", testKey().privatePemPkcs1);
  flags.installationId = "777";
  auto config = resolve(flags);
  ASSERT_TRUE(config.hasValue()) << config.error().str();
  EXPECT_EQ(config->appId, "42");
  EXPECT_EQ(config->installationId, "777");
  EXPECT_EQ(config->privateKeyPem, testKey().privatePemPkcs1);
  EXPECT_TRUE(config->token.empty());

  flags.installationId = "seven";
  EXPECT_FALSE(resolve(flags).hasValue());
  flags.installationId = "777";
  flags.tokenFile = write("token", "ghp_x");
  EXPECT_FALSE(resolve(flags).hasValue());
}

TEST_F(ConfigTest, NoCredentialsSaysHowToProvideThem) {
  auto config = resolve({});
  ASSERT_FALSE(config.hasValue());
  EXPECT_NE(config.error().hint.find("GITHUB_TOKEN"), std::string::npos);
  EXPECT_NE(config.error().hint.find("--app-id"), std::string::npos);
}

TEST_F(ConfigTest, ClientRejectsABadUrlAndABadKeyAtCreation) {
  CodeHostConfig config;
  config.apiUrl = "ftp://example.com";
  config.token = "t";
  EXPECT_FALSE(makeGitHubClient(config).hasValue());
  config.apiUrl = "https://api.github.com";
  EXPECT_TRUE(makeGitHubClient(config).hasValue());
  CodeHostConfig app;
  app.appId = "1";
  app.installationId = "2";
  app.privateKeyPem = "not a key";
  app.privateKeyFile = "app.pem";
  auto client = makeGitHubClient(app);
  ASSERT_FALSE(client.hasValue());
  EXPECT_EQ(client.error().file, "app.pem");
}

} // namespace
} // namespace godwit
