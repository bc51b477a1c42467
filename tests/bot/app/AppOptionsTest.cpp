#include "cli/app/AppOptions.h"

#include <gtest/gtest.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <filesystem>
#include <fstream>
#include <map>

namespace godwit {
namespace {

namespace fs = std::filesystem;

const std::string kSecret = "s3cret-from-the-app-settings";

std::string rsaPrivateKeyPem() {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(size));
  BIO_free(bio);
  EVP_PKEY_free(key);
  return pem;
}

class AppOptionsTest : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("godwit-app-options-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string file(const std::string& name, const std::string& content) {
    const fs::path path = dir_ / name;
    std::ofstream(path, std::ios::binary) << content;
    return path.string();
  }

  Expected<AppConfig> resolve(const AppFlags& flags) {
    return resolveAppConfig(flags, [this](const std::string& name) -> std::optional<std::string> {
      auto found = env_.find(name);
      if (found == env_.end())
        return std::nullopt;
      return found->second;
    });
  }

  fs::path dir_;
  std::map<std::string, std::string> env_;
};

TEST_F(AppOptionsTest, ListenTakesAnAddressAndAPort) {
  AppConfig config;
  ASSERT_TRUE(parseListen("127.0.0.1:8080", config));
  EXPECT_EQ(config.address, "127.0.0.1");
  EXPECT_EQ(config.port, 8080);
  ASSERT_TRUE(parseListen("[::1]:0", config));
  EXPECT_EQ(config.address, "::1");
  EXPECT_EQ(config.port, 0);
  ASSERT_TRUE(parseListen("0.0.0.0:65535", config));
  EXPECT_EQ(config.port, 65535);
  for (const std::string bad : {"8080", ":8080", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:80a",
                                "::1:8080", "[::1:8080", "127.0.0.1:-1"}) {
    auto parsed = parseListen(bad, config);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_EQ(parsed.error().message.rfind("--listen " + bad + ": ", 0), 0u)
        << parsed.error().message;
  }
}

TEST_F(AppOptionsTest, TheSecretsComeFromFilesWithoutTheirLineEnd) {
  AppFlags flags;
  flags.webhookSecretFile = file("current", kSecret + "\r\n");
  flags.previousSecretFile = file("previous", "older secret\n");
  env_["GODWIT_WEBHOOK_SECRET"] = "ignored: the file wins";
  auto config = resolve(flags);
  ASSERT_TRUE(config) << config.error().str();
  EXPECT_EQ(config->webhookSecrets, (std::vector<std::string>{kSecret, "older secret"}));
  EXPECT_EQ(config->address, "127.0.0.1");
  EXPECT_EQ(config->port, 8080);
  EXPECT_TRUE(config->appId.empty());
}

TEST_F(AppOptionsTest, OrFromTheEnvironment) {
  env_["GODWIT_WEBHOOK_SECRET"] = kSecret;
  env_["GODWIT_WEBHOOK_SECRET_PREVIOUS"] = "older secret";
  auto config = resolve(AppFlags{});
  ASSERT_TRUE(config) << config.error().str();
  EXPECT_EQ(config->webhookSecrets, (std::vector<std::string>{kSecret, "older secret"}));
  env_.erase("GODWIT_WEBHOOK_SECRET_PREVIOUS");
  config = resolve(AppFlags{});
  ASSERT_TRUE(config);
  EXPECT_EQ(config->webhookSecrets, (std::vector<std::string>{kSecret}));
}

TEST_F(AppOptionsTest, ASecretIsRequiredAndItsErrorsNeverShowIt) {
  auto none = resolve(AppFlags{});
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().message, "no webhook secret");
  EXPECT_NE(none.error().hint.find("--webhook-secret-file"), std::string::npos);

  AppFlags empty;
  empty.webhookSecretFile = file("empty", " \n");
  auto blank = resolve(empty);
  ASSERT_FALSE(blank);
  EXPECT_EQ(blank.error().str().rfind(empty.webhookSecretFile +
                                          ": error: the "
                                          "--webhook-secret-file file is empty",
                                      0),
            0u)
      << blank.error().str();

  AppFlags missing;
  missing.webhookSecretFile = (dir_ / "absent").string();
  EXPECT_FALSE(resolve(missing));

  // A bad previous secret or key with a good current secret: the current one is never shown.
  AppFlags later;
  later.webhookSecretFile = file("current", kSecret);
  later.previousSecretFile = (dir_ / "absent").string();
  auto previous = resolve(later);
  ASSERT_FALSE(previous);
  EXPECT_EQ(previous.error().str().find(kSecret), std::string::npos);
  later.previousSecretFile.clear();
  later.appId = "12345";
  later.privateKeyFile = file("key.pem", "-----BEGIN RSA PRIVATE KEY-----\n" + kSecret +
                                             "\n-----END RSA PRIVATE KEY-----\n");
  auto key = resolve(later);
  ASSERT_FALSE(key);
  EXPECT_EQ(key.error().str().find(kSecret), std::string::npos) << key.error().str();
}

TEST_F(AppOptionsTest, TheAppsIdAndKeyGoTogether) {
  env_["GODWIT_WEBHOOK_SECRET"] = kSecret;
  AppFlags flags;
  flags.appId = "12345";
  auto alone = resolve(flags);
  ASSERT_FALSE(alone);
  EXPECT_EQ(alone.error().message, "the GitHub App needs both its id and its private key");

  flags.privateKeyFile = file("key.pem", rsaPrivateKeyPem());
  auto both = resolve(flags);
  ASSERT_TRUE(both) << both.error().str();
  EXPECT_EQ(both->appId, "12345");
  EXPECT_NE(both->privateKeyPem.find("PRIVATE KEY"), std::string::npos);

  flags.appId = "my-app";
  auto named = resolve(flags);
  ASSERT_FALSE(named);
  EXPECT_EQ(named.error().message, "--app-id must be a number");

  AppFlags fromEnv;
  env_["GODWIT_APP_ID"] = "777";
  env_["GODWIT_APP_PRIVATE_KEY"] = rsaPrivateKeyPem();
  auto env = resolve(fromEnv);
  ASSERT_TRUE(env) << env.error().str();
  EXPECT_EQ(env->appId, "777");
}

TEST_F(AppOptionsTest, TheMigrationRegistryIsAFolderOrARepository) {
  env_["GODWIT_WEBHOOK_SECRET"] = kSecret;
  AppFlags flags;
  auto none = resolve(flags);
  ASSERT_TRUE(none) << none.error().str();
  EXPECT_EQ(none->migrationsDir, "");
  EXPECT_FALSE(none->registryRepo);

  flags.migrations = "/etc/godwit/migrations";
  env_["GODWIT_MIGRATIONS"] = "/elsewhere";
  auto folder = resolve(flags);
  ASSERT_TRUE(folder) << folder.error().str();
  EXPECT_EQ(folder->migrationsDir, "/etc/godwit/migrations");

  AppFlags fromEnv;
  auto env = resolve(fromEnv);
  ASSERT_TRUE(env);
  EXPECT_EQ(env->migrationsDir, "/elsewhere");

  env_.erase("GODWIT_MIGRATIONS");
  env_["GODWIT_REGISTRY_REPO"] = "acme/data-migrations:active";
  auto repo = resolve(fromEnv);
  ASSERT_TRUE(repo) << repo.error().str();
  ASSERT_TRUE(repo->registryRepo);
  EXPECT_EQ(repo->registryRepo->fullName, "acme/data-migrations");
  EXPECT_EQ(repo->registryRepo->subdir, "active");

  fromEnv.registryRepo = "acme";
  auto bad = resolve(fromEnv);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "--registry-repo acme: the repository is not OWNER/NAME");

  auto both = resolve(flags);
  ASSERT_FALSE(both);
  EXPECT_EQ(both.error().message, "--migrations and --registry-repo both name the migration "
                                  "registry");
}

} // namespace
} // namespace godwit
