// The schema registry's REST API as a client meets it: the real `assay --web-only` on loopback,
// spoken to over HTTP. Every endpoint, every error code, auth, hostile input, and a restart.

#include <httplib.h>

#include <atomic>
#include <set>
#include <thread>

#include "tests/assay_server.h"
#include "tests/test_util.h"

namespace assay::testing {
namespace {

using nlohmann::json;

constexpr const char* kToken = "tok-123";
constexpr const char* kContentType = "application/vnd.schemaregistry.v1+json";

const std::string kUserV1 =
    R"({"type":"record","name":"User","namespace":"com.ex","fields":[{"name":"id","type":"int"}]})";
const std::string kUserV2 =
    R"({"type":"record","name":"User","namespace":"com.ex","fields":[{"name":"id","type":"int"},)"
    R"({"name":"email","type":["null","string"],"default":null}]})";
const std::string kUserBad =
    R"({"type":"record","name":"User","namespace":"com.ex","fields":[{"name":"id","type":"int"},)"
    R"({"name":"age","type":"int"}]})";
const std::string kJsonSchema = R"({"type":"object","properties":{"a":{"type":"string"}}})";

struct Reply {
  int status = 0;
  std::string content_type;
  std::string www_authenticate;
  std::string body;
  json json_body;
  int ErrorCode() const { return json_body.is_object() ? json_body.value("error_code", 0) : 0; }
};

std::ostream& operator<<(std::ostream& os, const Reply& r) {
  return os << r.status << " " << r.body;
}

// `{"schema": text}` (+ schemaType).
std::string SchemaBody(const std::string& text, const std::string& type = "") {
  json body = {{"schema", text}};
  if (!type.empty()) body["schemaType"] = type;
  return body.dump();
}

class RegistryApiTest : public TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    Write("config/assay.yml", R"(pipeline:
  state_dir: ./state
sources: [{name: a, type: file, path: a.csv}]
web:
  token: ${ASSAY_TOKEN}
  max_body_bytes: 65536
)");
    StartServer();
  }

  void StartServer() {
    server_ = std::make_unique<AssayServer>();
    std::string error;
    ASSERT_TRUE(server_->Start({"--config", "config/assay.yml", "--web-only", "--port", "0"}, dir_,
                               {{"ASSAY_TOKEN", kToken}}, &error))
        << error;
  }

  int StopServer(int signal = SIGTERM) { return server_->Stop(signal); }

  // One request; `token` "" sends no Authorization header.
  Reply Call(const std::string& method, const std::string& path, const std::string& body = "",
             const std::string& token = kToken, const std::string& content_type = kContentType) {
    httplib::Client client("127.0.0.1", server_->port());
    client.set_url_encode(false);
    client.set_read_timeout(30, 0);
    httplib::Request request;
    request.method = method;
    request.path = path;
    if (!token.empty()) request.set_header("Authorization", std::string("Bearer ") + token);
    if (!body.empty() || method == "POST" || method == "PUT") {
      request.body = body;
      if (!content_type.empty()) request.set_header("Content-Type", content_type);
    }
    httplib::Result result = client.send(request);
    Reply reply;
    if (!result) {
      ADD_FAILURE() << method << " " << path << ": " << httplib::to_string(result.error());
      return reply;
    }
    reply.status = result->status;
    reply.content_type = result->get_header_value("Content-Type");
    reply.www_authenticate = result->get_header_value("WWW-Authenticate");
    reply.body = result->body;
    reply.json_body = json::parse(reply.body, nullptr, false);
    return reply;
  }

  Reply Get(const std::string& path) { return Call("GET", path, "", ""); }

  int64_t Register(const std::string& subject_path, const std::string& text,
                   const std::string& type = "") {
    Reply r =
        Call("POST", "/registry/subjects/" + subject_path + "/versions", SchemaBody(text, type));
    EXPECT_EQ(r.status, 200) << r;
    return r.json_body.is_object() ? r.json_body.value("id", int64_t{0}) : 0;
  }

  std::unique_ptr<AssayServer> server_;
};

TEST_F(RegistryApiTest, RootTypesAndContentType) {
  Reply root = Get("/registry");
  EXPECT_EQ(root.status, 200) << root;
  EXPECT_EQ(root.json_body, json::object());
  EXPECT_EQ(root.content_type, kContentType);
  EXPECT_EQ(Get("/registry/").status, 200);
  Reply types = Get("/registry/schemas/types");
  EXPECT_EQ(types.json_body, json::array({"AVRO", "JSON"}));
  EXPECT_EQ(Get("/registry/subjects").json_body, json::array());
  EXPECT_EQ(Get("/registry/mode").json_body, (json{{"mode", "READWRITE"}}));
}

TEST_F(RegistryApiTest, RegisterAndReadBack) {
  EXPECT_EQ(Register("users-value", kUserV1), 1);
  EXPECT_EQ(Register("users-value", kUserV1), 1);  // same schema: same id, no new version
  EXPECT_EQ(Register("users-value", kUserV2), 2);
  EXPECT_EQ(Register("json-value", kJsonSchema, "JSON"), 3);
  EXPECT_EQ(Register("other-value", kUserV2), 2);  // ids are global

  EXPECT_EQ(Get("/registry/subjects").json_body,
            json::array({"json-value", "other-value", "users-value"}));
  EXPECT_EQ(Get("/registry/subjects?subjectPrefix=users").json_body, json::array({"users-value"}));
  EXPECT_EQ(Get("/registry/subjects/users-value/versions").json_body, json::array({1, 2}));

  json latest = Get("/registry/subjects/users-value/versions/latest").json_body;
  EXPECT_EQ(latest, (json{{"subject", "users-value"},
                          {"version", 2},
                          {"id", 2},
                          {"schema", kUserV2}}));  // no schemaType for AVRO
  EXPECT_EQ(Get("/registry/subjects/users-value/versions/-1").json_body, latest);
  EXPECT_EQ(Get("/registry/subjects/users-value/versions/1").json_body["schema"], kUserV1);
  Reply raw = Get("/registry/subjects/users-value/versions/1/schema");
  EXPECT_EQ(raw.status, 200);
  EXPECT_EQ(raw.body, kUserV1);  // the text itself, not a JSON string
  EXPECT_EQ(Get("/registry/subjects/json-value/versions/1").json_body["schemaType"], "JSON");

  EXPECT_EQ(Get("/registry/schemas/ids/1").json_body, (json{{"schema", kUserV1}}));
  EXPECT_EQ(Get("/registry/schemas/ids/3").json_body,
            (json{{"schemaType", "JSON"}, {"schema", kJsonSchema}}));
  EXPECT_EQ(Get("/registry/schemas/ids/3/schema").body, kJsonSchema);
  EXPECT_EQ(Get("/registry/schemas/ids/2/versions").json_body,
            json::parse(R"([{"subject":"other-value","version":1},
                            {"subject":"users-value","version":2}])"));
  EXPECT_EQ(Get("/registry/schemas/ids/2/subjects").json_body,
            json::array({"other-value", "users-value"}));
  EXPECT_EQ(Get("/registry/subjects/users-value/versions/1/referencedby").json_body, json::array());

  // Lookup needs no token and changes nothing.
  Reply found = Call("POST", "/registry/subjects/users-value", SchemaBody(kUserV1), "");
  EXPECT_EQ(found.status, 200) << found;
  EXPECT_EQ(found.json_body,
            (json{{"subject", "users-value"}, {"version", 1}, {"id", 1}, {"schema", kUserV1}}));
  EXPECT_EQ(Call("POST", "/registry/subjects/users-value", SchemaBody(kUserBad), "").ErrorCode(),
            40403);
  EXPECT_EQ(Call("POST", "/registry/subjects/nobody", SchemaBody(kUserV1), "").ErrorCode(), 40401);
}

TEST_F(RegistryApiTest, NotFoundAndInvalidVersionCodes) {
  Register("s", kUserV1);
  struct Case {
    std::string path;
    int status;
    int code;
  };
  for (const Case& c : std::vector<Case>{
           {"/registry/subjects/nope/versions", 404, 40401},
           {"/registry/subjects/nope/versions/latest", 404, 40401},
           {"/registry/subjects/s/versions/7", 404, 40402},
           {"/registry/subjects/s/versions/7/schema", 404, 40402},
           {"/registry/subjects/s/versions/abc", 422, 42202},
           {"/registry/subjects/s/versions/0", 422, 42202},
           {"/registry/subjects/s/versions/-2", 422, 42202},
           {"/registry/subjects/s/versions/99999999999", 422, 42202},
           {"/registry/schemas/ids/99", 404, 40403},
           {"/registry/schemas/ids/x", 404, 40403},
           {"/registry/schemas/ids/99/versions", 404, 40403},
           {"/registry/config/s", 404, 40408},
           {"/registry/nothing", 404, 404},
           {"/registry/subjects/s/nothing", 404, 404},
           {"/elsewhere", 404, 404},
           {"/", 404, 404},
       }) {
    Reply r = Get(c.path);
    EXPECT_EQ(r.status, c.status) << c.path << " " << r;
    EXPECT_EQ(r.ErrorCode(), c.code) << c.path << " " << r;
    EXPECT_EQ(r.content_type, kContentType) << c.path;
    EXPECT_TRUE(r.json_body.contains("message")) << c.path << " " << r;
  }
  Reply wrong_method = Call("PATCH", "/registry/subjects", "{}");
  EXPECT_EQ(wrong_method.status, 405) << wrong_method;
  EXPECT_EQ(wrong_method.ErrorCode(), 405);
  EXPECT_EQ(Call("POST", "/registry/schemas/ids/1", "{}").status, 405);
}

TEST_F(RegistryApiTest, StateChangesNeedTheTokenReadsDoNot) {
  // No token, a wrong token, a malformed header: 401 with a JSON body.
  for (const std::string& token : {std::string(""), std::string("wrong")}) {
    Reply r = Call("POST", "/registry/subjects/s/versions", SchemaBody(kUserV1), token);
    EXPECT_EQ(r.status, 401) << r;
    EXPECT_EQ(r.ErrorCode(), 401);
    EXPECT_NE(r.www_authenticate.find("Bearer"), std::string::npos);
    EXPECT_EQ(Call("PUT", "/registry/config", R"({"compatibility":"NONE"})", token).status, 401);
    EXPECT_EQ(Call("PUT", "/registry/config/s", R"({"compatibility":"NONE"})", token).status, 401);
    EXPECT_EQ(Call("DELETE", "/registry/config", "", token).status, 401);
    EXPECT_EQ(Call("DELETE", "/registry/subjects/s", "", token).status, 401);
    EXPECT_EQ(Call("DELETE", "/registry/subjects/s/versions/1", "", token).status, 401);
  }
  EXPECT_EQ(Get("/registry/subjects").json_body, json::array());  // nothing happened

  // HTTP Basic with the token as the password, any user name (what the clients send).
  httplib::Client basic("127.0.0.1", server_->port());
  basic.set_basic_auth("anyone", kToken);
  auto r = basic.Post("/registry/subjects/s/versions", SchemaBody(kUserV1), kContentType);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  basic.set_basic_auth("anyone", "not-the-token");
  r = basic.Post("/registry/subjects/s/versions", SchemaBody(kUserV2), kContentType);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  // A bearer token in another case of the scheme name still counts.
  Reply lower = Call("PUT", "/registry/config", R"({"compatibility":"FULL"})", "");
  EXPECT_EQ(lower.status, 401);
  httplib::Client bearer("127.0.0.1", server_->port());
  httplib::Headers lower_case_scheme = {{"Authorization", std::string("bearer ") + kToken}};
  auto put = bearer.Put("/registry/config", lower_case_scheme, R"({"compatibility":"FULL"})",
                        kContentType);
  ASSERT_TRUE(put);
  EXPECT_EQ(put->status, 200) << put->body;

  // Reads, lookups and compatibility checks need none, and a wrong one does not hurt them.
  EXPECT_EQ(Call("GET", "/registry/subjects", "", "wrong").status, 200);
  EXPECT_EQ(Call("POST", "/registry/subjects/s", SchemaBody(kUserV1), "").status, 200);
  EXPECT_EQ(
      Call("POST", "/registry/compatibility/subjects/s/versions/latest", SchemaBody(kUserV1), "")
          .status,
      200);
}

TEST_F(RegistryApiTest, IncompatibleRegistrationIs409AndCompatibilityChecksSay) {
  Register("s", kUserV1);
  Reply refused = Call("POST", "/registry/subjects/s/versions", SchemaBody(kUserBad));
  EXPECT_EQ(refused.status, 409) << refused;
  EXPECT_EQ(refused.ErrorCode(), 409);
  EXPECT_NE(refused.json_body["message"].get<std::string>().find("incompatible"),
            std::string::npos);

  std::string path = "/registry/compatibility/subjects/s/versions/latest";
  EXPECT_EQ(Call("POST", path, SchemaBody(kUserV2), "").json_body, (json{{"is_compatible", true}}));
  EXPECT_EQ(Call("POST", path, SchemaBody(kUserBad), "").json_body,
            (json{{"is_compatible", false}}));
  json verbose = Call("POST", path + "?verbose=TRUE", SchemaBody(kUserBad), "").json_body;
  EXPECT_EQ(verbose["is_compatible"], false);
  ASSERT_TRUE(verbose["messages"].is_array()) << verbose;
  EXPECT_NE(verbose["messages"].dump().find("READER_FIELD_MISSING_DEFAULT_VALUE"),
            std::string::npos)
      << verbose;
  EXPECT_EQ(Call("POST", "/registry/compatibility/subjects/s/versions/1", SchemaBody(kUserV2), "")
                .json_body["is_compatible"],
            true);
  EXPECT_EQ(Call("POST", "/registry/compatibility/subjects/s/versions", SchemaBody(kUserBad), "")
                .json_body["is_compatible"],
            false);
  EXPECT_EQ(Call("POST", "/registry/compatibility/subjects/s/versions/9", SchemaBody(kUserV2), "")
                .ErrorCode(),
            40402);
  EXPECT_EQ(Call("POST", "/registry/compatibility/subjects/s/versions/x", SchemaBody(kUserV2), "")
                .ErrorCode(),
            42202);
  EXPECT_EQ(
      Call("POST", "/registry/compatibility/subjects/new/versions/latest", SchemaBody(kUserBad), "")
          .json_body["is_compatible"],
      true);  // nothing to be incompatible with
  EXPECT_EQ(Get("/registry/subjects/s/versions").json_body, json::array({1}));
}

TEST_F(RegistryApiTest, Config) {
  EXPECT_EQ(Get("/registry/config").json_body["compatibilityLevel"], "BACKWARD");
  Reply put = Call("PUT", "/registry/config", R"({"compatibility":"full"})");
  EXPECT_EQ(put.status, 200) << put;
  EXPECT_EQ(put.json_body, (json{{"compatibility", "FULL"}}));
  EXPECT_EQ(Get("/registry/config").json_body["compatibilityLevel"], "FULL");

  Reply bad = Call("PUT", "/registry/config", R"({"compatibility":"SIDEWAYS"})");
  EXPECT_EQ(bad.status, 422) << bad;
  EXPECT_EQ(bad.ErrorCode(), 42203);
  EXPECT_EQ(Call("PUT", "/registry/config", R"({})").ErrorCode(), 42203);
  EXPECT_EQ(Call("PUT", "/registry/config", R"({"compatibility":3})").ErrorCode(), 42203);
  EXPECT_EQ(Call("PUT", "/registry/config", R"({"compatibilityPolicy":"loose"})").ErrorCode(),
            42203);

  EXPECT_EQ(Get("/registry/config/s").ErrorCode(), 40408);
  EXPECT_EQ(Get("/registry/config/s?defaultToGlobal=true").json_body["compatibilityLevel"], "FULL");
  Reply subject = Call("PUT", "/registry/config/s",
                       R"({"compatibility":"NONE","compatibilityPolicy":"lenient"})");
  EXPECT_EQ(subject.json_body,
            (json{{"compatibility", "NONE"}, {"compatibilityPolicy", "LENIENT"}}));
  json got = Get("/registry/config/s").json_body;
  EXPECT_EQ(got["compatibilityLevel"], "NONE");
  EXPECT_EQ(got["compatibilityPolicy"], "LENIENT");
  // The subject's NONE lets anything in, whatever the global level.
  Register("s", kUserV1);
  Register("s", kUserBad);

  Reply removed = Call("DELETE", "/registry/config/s");
  EXPECT_EQ(removed.json_body["compatibilityLevel"], "NONE") << removed;
  EXPECT_EQ(Call("DELETE", "/registry/config/s").ErrorCode(), 40401);
  EXPECT_EQ(Get("/registry/config/s").ErrorCode(), 40408);
  Reply global = Call("DELETE", "/registry/config");
  EXPECT_EQ(global.json_body["compatibilityLevel"], "FULL") << global;
  EXPECT_EQ(Get("/registry/config").json_body["compatibilityLevel"], "BACKWARD");
}

TEST_F(RegistryApiTest, Deletes) {
  Register("s", kUserV1);
  Register("s", kUserV2);
  EXPECT_EQ(Call("DELETE", "/registry/subjects/s?permanent=true").ErrorCode(), 40405);
  EXPECT_EQ(Call("DELETE", "/registry/subjects/s/versions/2?permanent=true").ErrorCode(), 40407);
  EXPECT_EQ(Call("DELETE", "/registry/subjects/s/versions/latest").json_body, 2);
  EXPECT_EQ(Call("DELETE", "/registry/subjects/s/versions/2").ErrorCode(), 40406);
  EXPECT_EQ(Get("/registry/subjects/s/versions").json_body, json::array({1}));
  EXPECT_EQ(Get("/registry/subjects/s/versions?deleted=true").json_body, json::array({1, 2}));
  EXPECT_EQ(Get("/registry/subjects/s/versions/2?deleted=true").json_body["id"], 2);
  EXPECT_EQ(Call("DELETE", "/registry/subjects/s/versions/2?permanent=true").json_body, 2);

  EXPECT_EQ(Call("DELETE", "/registry/subjects/s").json_body, json::array({1}));
  EXPECT_EQ(Call("DELETE", "/registry/subjects/s").ErrorCode(), 40404);
  EXPECT_EQ(Get("/registry/subjects").json_body, json::array());
  EXPECT_EQ(Get("/registry/subjects?deleted=true").json_body, json::array({"s"}));
  EXPECT_EQ(Get("/registry/subjects?deletedOnly=true").json_body, json::array({"s"}));
  EXPECT_EQ(Get("/registry/subjects/s/versions").ErrorCode(), 40401);
  EXPECT_EQ(Get("/registry/schemas/ids/1").status, 200);  // soft-deleted: id still resolves
  EXPECT_EQ(Call("DELETE", "/registry/subjects/s?permanent=true").json_body, json::array({1}));
  EXPECT_EQ(Call("DELETE", "/registry/subjects/s").ErrorCode(), 40401);
  EXPECT_EQ(Call("DELETE", "/registry/subjects/s/versions/1").ErrorCode(), 40401);
  EXPECT_EQ(Get("/registry/schemas/ids/1").ErrorCode(), 40403);
  EXPECT_EQ(Call("DELETE", "/registry/subjects/s/versions/zz").ErrorCode(), 42202);
}

TEST_F(RegistryApiTest, HostileAndMalformedRequestsGetJsonErrors) {
  std::string path = "/registry/subjects/s/versions";
  struct Case {
    std::string body;
    int status;
    int code;
  };
  for (const Case& c : std::vector<Case>{
           {"{not json", 400, 400},
           {R"({"schema": "x")", 400, 400},
           {"[1, 2]", 400, 400},
           {R"("a string")", 400, 400},
           {R"({"schema": {"type": "record"}})", 400, 400},
           {R"({"schema": "x", "schemaType": 5})", 400, 400},
           {R"({"schema": "x", "references": 5})", 400, 400},
           {"", 422, 42201},
           {"   ", 422, 42201},
           {"{}", 422, 42201},
           {R"({"schema": ""})", 422, 42201},
           {R"({"schema": null})", 422, 42201},
           {R"({"schema": "{\"type\": \"record\"}"})", 422, 42201},
           {R"({"schema": "not a schema"})", 422, 42201},
           {R"({"schema": "{}", "schemaType": "PROTOBUF"})", 422, 42201},
           {R"({"schema": "{}", "schemaType": "NOPE"})", 422, 42201},
           {R"({"schema": "{\"type\":\"object\"", "schemaType": "JSON"})", 422, 42201},
           {R"({"schema": "\"int\"", "references": [{"name": "x", "subject": "y", "version": 1}]})",
            422, 42201},
       }) {
    Reply r = Call("POST", path, c.body);
    EXPECT_EQ(r.status, c.status) << c.body << " -> " << r;
    EXPECT_EQ(r.ErrorCode(), c.code) << c.body << " -> " << r;
    EXPECT_EQ(r.content_type, kContentType) << c.body;
  }
  // Unknown fields are ignored; so are references: [] and unknown query parameters.
  Reply extra = Call("POST", "/registry/subjects/t/versions?normalize=true&whatever=1",
                     R"({"schema": "\"int\"", "references": [], "metadata": {"a": 1}})");
  EXPECT_EQ(extra.status, 200) << extra;
  // Form and text bodies are refused: a cross-site form cannot reach the registry.
  EXPECT_EQ(Call("POST", path, SchemaBody(kUserV1), kToken, "text/plain").status, 415);
  EXPECT_EQ(
      Call("POST", path, SchemaBody(kUserV1), kToken, "application/x-www-form-urlencoded").status,
      415);
  EXPECT_EQ(Call("POST", path, SchemaBody(kUserV1), kToken, "application/json").status, 200);

  // A body over web.max_body_bytes (64 KiB here): 413 with a JSON body, and the server lives on.
  std::string huge = SchemaBody(std::string(100000, ' ') + "\"int\"");
  Reply too_big = Call("POST", path, huge);
  EXPECT_EQ(too_big.status, 413) << too_big.status;
  EXPECT_EQ(too_big.ErrorCode(), 413) << too_big.body;
  // Malformed escapes, an unknown method, a raw request line that is not HTTP.
  EXPECT_EQ(Get("/registry/subjects/%zz/versions").status, 400);
  EXPECT_EQ(Get("/registry/subjects/%zz/versions").ErrorCode(), 400);
  Reply brew = Call("BREW", "/registry", "");
  EXPECT_EQ(brew.status, 400) << brew;
  EXPECT_EQ(brew.ErrorCode(), 400) << brew;
  EXPECT_EQ(Get("/registry/subjects").status, 200);
}

TEST_F(RegistryApiTest, PercentEncodedSubjects) {
  // '/', ' ', '%', '?', '#' and non-ASCII in a subject: each path segment is decoded on its own.
  EXPECT_EQ(Register("a%2Fb%20c%25%3F%23%C3%A9", kUserV1), 1);
  std::string subject = "a/b c%?#\xC3\xA9";
  EXPECT_EQ(Get("/registry/subjects").json_body, json::array({subject}));
  Reply latest = Get("/registry/subjects/a%2Fb%20c%25%3F%23%C3%A9/versions/latest");
  EXPECT_EQ(latest.status, 200) << latest;
  EXPECT_EQ(latest.json_body["subject"], subject);
  // Not the same subject as the unencoded path, which has more segments.
  EXPECT_EQ(Get("/registry/subjects/a/b/versions").status, 404);
  // A control character is not a valid subject.
  EXPECT_EQ(Call("POST", "/registry/subjects/a%0Ab/versions", SchemaBody(kUserV1)).ErrorCode(),
            42208);
}

TEST_F(RegistryApiTest, RestartKeepsSubjectsVersionsIdsAndConfig) {
  Register("s", kUserV1);
  Register("s", kUserV2);
  Register("j", kJsonSchema, "JSON");
  ASSERT_EQ(Call("PUT", "/registry/config", R"({"compatibility":"FORWARD"})").status, 200);
  ASSERT_EQ(Call("PUT", "/registry/config/j", R"({"compatibility":"NONE"})").status, 200);
  ASSERT_EQ(Call("DELETE", "/registry/subjects/s/versions/1").status, 200);
  EXPECT_EQ(StopServer(SIGTERM), 0) << server_->Stderr();

  StartServer();
  EXPECT_EQ(Get("/registry/subjects").json_body, json::array({"j", "s"}));
  EXPECT_EQ(Get("/registry/subjects/s/versions").json_body, json::array({2}));
  EXPECT_EQ(Get("/registry/subjects/s/versions?deleted=true").json_body, json::array({1, 2}));
  EXPECT_EQ(Get("/registry/subjects/s/versions/latest").json_body["id"], 2);
  EXPECT_EQ(Get("/registry/schemas/ids/1").json_body["schema"], kUserV1);
  EXPECT_EQ(Get("/registry/schemas/ids/3").json_body["schemaType"], "JSON");
  EXPECT_EQ(Get("/registry/config").json_body["compatibilityLevel"], "FORWARD");
  EXPECT_EQ(Get("/registry/config/j").json_body["compatibilityLevel"], "NONE");
  // Numbering goes on where it stopped.
  EXPECT_EQ(Register("s", R"({"type":"record","name":"User","namespace":"com.ex","fields":[)"
                          R"({"name":"id","type":"int"},{"name":"z","type":"int","default":0}]})"),
            4);
  EXPECT_EQ(Get("/registry/subjects/s/versions/latest").json_body["version"], 3);
  EXPECT_EQ(StopServer(SIGINT), 0) << server_->Stderr();
}

TEST_F(RegistryApiTest, ConcurrentClientsGetDistinctIds) {
  ASSERT_EQ(Call("PUT", "/registry/config", R"({"compatibility":"NONE"})").status, 200);
  constexpr int kThreads = 4;
  constexpr int kEach = 10;
  std::vector<std::thread> threads;
  std::vector<std::vector<int64_t>> ids(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        std::string text = R"({"type":"record","name":"R","fields":[{"name":"f)" +
                           std::to_string(t * 100 + i) + R"(","type":"int"}]})";
        ids[t].push_back(Register(t % 2 == 0 ? "even" : "odd", text));
        // Reads interleave with the writes.
        EXPECT_EQ(Get("/registry/subjects").status, 200);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  std::set<int64_t> distinct;
  for (const auto& list : ids) distinct.insert(list.begin(), list.end());
  EXPECT_EQ(distinct.size(), static_cast<size_t>(kThreads * kEach));
  EXPECT_EQ(Get("/registry/subjects/even/versions").json_body.size(), 20u);
  EXPECT_EQ(Get("/registry/subjects/odd/versions/latest").json_body["version"], 20);
}

TEST_F(RegistryApiTest, PortInUseAndBadConfigAreReported) {
  Write("config/busy.yml", R"(pipeline: {state_dir: ./state2}
sources: [{name: a, type: file, path: a.csv}]
)");
  // A second server on the same port fails at once (exit 1) instead of sharing the port.
  AssayServer busy;
  std::string error;
  EXPECT_FALSE(busy.Start(
      {"--config", "config/busy.yml", "--web-only", "--port", std::to_string(server_->port())},
      dir_, {}, &error));
  EXPECT_EQ(busy.exit_code(), 1) << error;
  EXPECT_NE(error.find("cannot listen on 127.0.0.1:" + std::to_string(server_->port())),
            std::string::npos)
      << error;

  Write("config/bad.yml", R"(sources: [{name: a, type: file, path: a.csv}]
web: {port: 70000, token: x}
)");
  // A bounded wait: a server that starts on this config must fail the test, not hang it.
  CommandResult bad =
      RunAssay({"--config", "config/bad.yml", "--web-only"}, dir_, std::chrono::seconds(30));
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("config/bad.yml:2:13: key 'web.port'"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace assay::testing
