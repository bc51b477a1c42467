#pragma once
// Test support for bot tests: temporary directories and real bare git repositories (libgit2)
// that play the code host's remote over file://.

#include <git2.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <unistd.h>
#include <vector>

namespace godwit::bottest {

/// A fresh directory under the system temp dir, removed with everything in it.
class TempDir {
public:
  TempDir() {
    std::string templ = (std::filesystem::temp_directory_path() / "godwit-test-XXXXXX").string();
    if (!mkdtemp(templ.data()))
      throw std::runtime_error("mkdtemp failed");
    path_ = templ;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

private:
  std::filesystem::path path_;
};

inline void check(int rc, const char* what) {
  if (rc < 0) {
    const git_error* e = git_error_last();
    throw std::runtime_error(std::string(what) + ": " + (e ? e->message : "?"));
  }
}

inline std::string hex(const git_oid& oid) {
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof buf, &oid);
  return buf;
}

/// Every byte of every file under `dir`, concatenated (to search for leaked secrets).
inline std::string slurpTree(const std::filesystem::path& dir) {
  std::string all;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file())
      continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    all += ss.str();
  }
  return all;
}

/// A commit as a test sees it.
struct CommitInfo {
  std::string sha;
  std::string tree;
  std::vector<std::string> parents;
  std::string authorName, authorEmail, committerName, committerEmail;
  std::string message;
};

/// A bare repository standing in for the code host's copy, with `main` as its default branch.
class BareRemote {
public:
  explicit BareRemote(std::filesystem::path path) : path_(std::move(path)) {
    git_libgit2_init();
    git_repository_init_options opts = GIT_REPOSITORY_INIT_OPTIONS_INIT;
    opts.flags = GIT_REPOSITORY_INIT_BARE | GIT_REPOSITORY_INIT_MKPATH;
    opts.initial_head = "main";
    check(git_repository_init_ext(&repo_, path_.c_str(), &opts), "init remote");
  }
  ~BareRemote() {
    git_repository_free(repo_);
    git_libgit2_shutdown();
  }
  BareRemote(const BareRemote&) = delete;
  BareRemote& operator=(const BareRemote&) = delete;

  std::string url() const { return "file://" + path_.string(); }
  const std::filesystem::path& path() const { return path_; }
  git_repository* repo() const { return repo_; }

  /// The tip of `branch`, or "" when it does not exist.
  std::string tip(const std::string& branch) const {
    git_oid oid;
    std::string ref = "refs/heads/" + branch;
    if (git_reference_name_to_id(&oid, repo_, ref.c_str()) < 0)
      return "";
    return hex(oid);
  }

  /// Commits a full snapshot `files` (path → content) on top of `branch` (or as a root commit).
  std::string commit(const std::string& branch, const std::map<std::string, std::string>& files,
                     const std::string& message = "change\n", const std::string& name = "Dev",
                     const std::string& email = "dev@example.com",
                     const std::string& committerName = "",
                     const std::string& committerEmail = "") {
    git_index* index = nullptr;
    check(git_index_new(&index), "index");
    for (const auto& [path, content] : files) {
      git_index_entry entry{};
      entry.mode = path.ends_with(".sh") ? GIT_FILEMODE_BLOB_EXECUTABLE : GIT_FILEMODE_BLOB;
      entry.path = path.c_str();
      check(git_blob_create_from_buffer(&entry.id, repo_, content.data(), content.size()), "blob");
      check(git_index_add(index, &entry), "index add");
    }
    git_oid treeOid;
    check(git_index_write_tree_to(&treeOid, index, repo_), "write tree");
    git_index_free(index);
    git_tree* tree = nullptr;
    check(git_tree_lookup(&tree, repo_, &treeOid), "tree");
    git_signature* author = nullptr;
    git_signature* committer = nullptr;
    check(git_signature_now(&author, name.c_str(), email.c_str()), "sig");
    check(git_signature_now(&committer, (committerName.empty() ? name : committerName).c_str(),
                            (committerEmail.empty() ? email : committerEmail).c_str()),
          "sig");
    std::string parentSha = tip(branch);
    git_commit* parent = nullptr;
    if (!parentSha.empty()) {
      git_oid p;
      git_oid_fromstr(&p, parentSha.c_str());
      check(git_commit_lookup(&parent, repo_, &p), "parent");
    }
    const git_commit* parents[] = {parent};
    git_oid out;
    std::string ref = "refs/heads/" + branch;
    check(git_commit_create(&out, repo_, ref.c_str(), author, committer, nullptr, message.c_str(),
                            tree, parent ? 1 : 0, parents),
          "commit");
    git_commit_free(parent);
    git_signature_free(author);
    git_signature_free(committer);
    git_tree_free(tree);
    return hex(out);
  }

  /// Points `branch` at `sha` (creating it) or deletes it when `sha` is empty.
  void setBranch(const std::string& branch, const std::string& sha) {
    std::string ref = "refs/heads/" + branch;
    if (sha.empty()) {
      git_reference* r = nullptr;
      if (git_reference_lookup(&r, repo_, ref.c_str()) == 0) {
        check(git_reference_delete(r), "delete ref");
        git_reference_free(r);
      }
      return;
    }
    git_oid oid;
    git_oid_fromstr(&oid, sha.c_str());
    git_reference* r = nullptr;
    check(git_reference_create(&r, repo_, ref.c_str(), &oid, 1, nullptr), "set ref");
    git_reference_free(r);
  }

  CommitInfo info(const std::string& sha) const {
    git_oid oid;
    git_oid_fromstr(&oid, sha.c_str());
    git_commit* c = nullptr;
    check(git_commit_lookup(&c, repo_, &oid), "lookup commit");
    CommitInfo out;
    out.sha = sha;
    out.tree = hex(*git_commit_tree_id(c));
    for (unsigned i = 0; i < git_commit_parentcount(c); ++i)
      out.parents.push_back(hex(*git_commit_parent_id(c, i)));
    out.authorName = git_commit_author(c)->name;
    out.authorEmail = git_commit_author(c)->email;
    out.committerName = git_commit_committer(c)->name;
    out.committerEmail = git_commit_committer(c)->email;
    out.message = git_commit_message(c);
    git_commit_free(c);
    return out;
  }

  /// The content of `path` at commit `sha`, or "<missing>".
  std::string file(const std::string& sha, const std::string& path) const {
    git_oid oid;
    git_oid_fromstr(&oid, sha.c_str());
    git_commit* c = nullptr;
    check(git_commit_lookup(&c, repo_, &oid), "lookup commit");
    git_tree* tree = nullptr;
    check(git_commit_tree(&tree, c), "tree");
    git_tree_entry* entry = nullptr;
    std::string out = "<missing>";
    if (git_tree_entry_bypath(&entry, tree, path.c_str()) == 0) {
      git_blob* blob = nullptr;
      check(git_blob_lookup(&blob, repo_, git_tree_entry_id(entry)), "blob");
      out.assign(static_cast<const char*>(git_blob_rawcontent(blob)), git_blob_rawsize(blob));
      git_blob_free(blob);
      git_tree_entry_free(entry);
    }
    git_tree_free(tree);
    git_commit_free(c);
    return out;
  }

  /// The file mode of `path` at commit `sha`, or 0.
  unsigned mode(const std::string& sha, const std::string& path) const {
    git_oid oid;
    git_oid_fromstr(&oid, sha.c_str());
    git_commit* c = nullptr;
    check(git_commit_lookup(&c, repo_, &oid), "lookup commit");
    git_tree* tree = nullptr;
    check(git_commit_tree(&tree, c), "tree");
    git_tree_entry* entry = nullptr;
    unsigned out = 0;
    if (git_tree_entry_bypath(&entry, tree, path.c_str()) == 0) {
      out = git_tree_entry_filemode(entry);
      git_tree_entry_free(entry);
    }
    git_tree_free(tree);
    git_commit_free(c);
    return out;
  }

private:
  std::filesystem::path path_;
  git_repository* repo_ = nullptr;
};

} // namespace godwit::bottest
