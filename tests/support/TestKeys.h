#pragma once
// A fresh RSA key pair for tests that authenticate as a GitHub App against the contract server.

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <stdexcept>
#include <string>

namespace godwit::test {

/// The private key (PKCS#8 PEM) the App signs with, and the public half the server checks with.
struct TestKeyPair {
  std::string privatePem;
  std::string publicPem;
};

/// Generates a 2048-bit RSA key pair; throws when OpenSSL cannot.
inline TestKeyPair makeTestKeyPair() {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048));
  if (!key)
    throw std::runtime_error("cannot generate an RSA key");
  const auto pem = [key](bool isPrivate) {
    BIO* bio = BIO_new(BIO_s_mem());
    if (isPrivate)
      PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
    else
      PEM_write_bio_PUBKEY(bio, key);
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio, &data);
    std::string text(data, static_cast<size_t>(n));
    BIO_free(bio);
    return text;
  };
  TestKeyPair pair{pem(true), pem(false)};
  EVP_PKEY_free(key);
  return pair;
}

} // namespace godwit::test
