#include "bot/app/WebhookSignature.h"

#include <gtest/gtest.h>

namespace godwit {
namespace {

// GitHub's published example (docs: "Validating webhook deliveries").
const std::string kSecret = "It's a Secret to Everybody";
const std::string kBody = "Hello, World!";
const std::string kSignature =
    "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

std::string rejection(std::string_view header, const std::vector<std::string>& secrets = {kSecret},
                      std::string_view body = kBody) {
  auto verified = verifyWebhookSignature(header, body, secrets);
  return verified ? "accepted" : verified.error().message;
}

TEST(WebhookSignatureTest, GitHubsPublishedVector) {
  EXPECT_EQ(signWebhookBody(kSecret, kBody), kSignature);
  auto verified = verifyWebhookSignature(kSignature, kBody, {kSecret});
  ASSERT_TRUE(verified) << verified.error().message;
  EXPECT_EQ(*verified, 0u);
}

TEST(WebhookSignatureTest, UppercaseHexIsAccepted) {
  std::string upper = kSignature;
  for (size_t i = 7; i < upper.size(); ++i)
    upper[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(upper[i])));
  EXPECT_EQ(rejection(upper), "accepted");
}

TEST(WebhookSignatureTest, AMissingHeaderIsRejected) {
  EXPECT_EQ(rejection(""), "the delivery has no X-Hub-Signature-256 header");
}

TEST(WebhookSignatureTest, AnotherPrefixIsRejected) {
  // The SHA-1 header's format, and the prefix in capitals.
  EXPECT_EQ(rejection("sha1=" + kSignature.substr(7)),
            "X-Hub-Signature-256 does not start with sha256=");
  EXPECT_EQ(rejection("SHA256=" + kSignature.substr(7)),
            "X-Hub-Signature-256 does not start with sha256=");
  EXPECT_EQ(rejection(kSignature.substr(7)), "X-Hub-Signature-256 does not start with sha256=");
}

TEST(WebhookSignatureTest, BadHexIsRejected) {
  std::string bad = kSignature;
  bad[20] = 'g';
  EXPECT_EQ(rejection(bad), "X-Hub-Signature-256 is not hexadecimal after sha256=");
  bad = kSignature;
  bad[kSignature.size() - 1] = ' ';
  EXPECT_EQ(rejection(bad), "X-Hub-Signature-256 is not hexadecimal after sha256=");
}

TEST(WebhookSignatureTest, AWrongLengthIsRejected) {
  EXPECT_EQ(rejection(kSignature.substr(0, kSignature.size() - 2)),
            "X-Hub-Signature-256 has 62 hex digits, not 64");
  EXPECT_EQ(rejection(kSignature + "00"), "X-Hub-Signature-256 has 66 hex digits, not 64");
  EXPECT_EQ(rejection("sha256="), "X-Hub-Signature-256 has 0 hex digits, not 64");
}

TEST(WebhookSignatureTest, AnotherSecretOrBodyIsRejected) {
  const std::string mismatch = "the X-Hub-Signature-256 signature does not match the body";
  EXPECT_EQ(rejection(kSignature, {"It's a Secret to Nobody"}), mismatch);
  EXPECT_EQ(rejection(kSignature, {kSecret}, "Hello, World?"), mismatch);
  EXPECT_EQ(rejection(signWebhookBody("other", kBody)), mismatch);
  std::string flipped = kSignature;
  flipped[7] = flipped[7] == '7' ? '8' : '7';
  EXPECT_EQ(rejection(flipped), mismatch);
}

TEST(WebhookSignatureTest, ThePreviousSecretIsAcceptedDuringARotation) {
  auto verified = verifyWebhookSignature(kSignature, kBody, {"the new secret", kSecret});
  ASSERT_TRUE(verified) << verified.error().message;
  EXPECT_EQ(*verified, 1u);
  auto current = verifyWebhookSignature(signWebhookBody("the new secret", kBody), kBody,
                                        {"the new secret", kSecret});
  ASSERT_TRUE(current);
  EXPECT_EQ(*current, 0u);
}

TEST(WebhookSignatureTest, WithoutASecretNothingIsAccepted) {
  EXPECT_EQ(rejection(kSignature, {}), "no webhook secret is configured");
  // HMAC with an empty key is well defined; an empty secret must still never match it.
  EXPECT_EQ(rejection(signWebhookBody("", kBody), {""}), "no webhook secret is configured");
}

TEST(WebhookSignatureTest, NoErrorContainsTheSecret) {
  for (const std::string& header :
       {std::string(), std::string("sha1=x"), std::string("sha256=zz"), kSignature}) {
    auto verified = verifyWebhookSignature(header, "other body", {kSecret});
    ASSERT_FALSE(verified);
    EXPECT_EQ(verified.error().str().find(kSecret), std::string::npos);
  }
}

} // namespace
} // namespace godwit
