#include "config/logging.h"

#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <ctime>
#include <iterator>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace assay::config {
namespace {

constexpr std::string_view kDefaultLoggerName = "assay";
constexpr std::string_view kTextPattern = "[%Y-%m-%d %H:%M:%S.%e] [%^%l%$] [%n] %v";

std::optional<spdlog::level::level_enum> ParseLevel(std::string_view name) {
  using spdlog::level::level_enum;
  if (name == "trace") return level_enum::trace;
  if (name == "debug") return level_enum::debug;
  if (name == "info") return level_enum::info;
  if (name == "warn" || name == "warning") return level_enum::warn;
  if (name == "error") return level_enum::err;
  if (name == "critical") return level_enum::critical;
  if (name == "off") return level_enum::off;
  return std::nullopt;
}

std::string_view LevelName(spdlog::level::level_enum level) {
  using spdlog::level::level_enum;
  switch (level) {
    case level_enum::trace: return "trace";
    case level_enum::debug: return "debug";
    case level_enum::info: return "info";
    case level_enum::warn: return "warn";
    case level_enum::err: return "error";
    case level_enum::critical: return "critical";
    default: return "off";
  }
}

// The active setup, shared by every logger GetLogger hands out.
struct State {
  std::mutex mutex;
  std::vector<spdlog::sink_ptr> sinks;
  spdlog::level::level_enum level = spdlog::level::info;
  std::map<std::string, spdlog::level::level_enum> loggers;
};

State& GetState() {
  static State* state = [] {
    auto* s = new State();  // never destroyed: loggers may log during static destruction
    auto console = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    console->set_pattern(std::string(kTextPattern));
    s->sinks.push_back(std::move(console));
    return s;
  }();
  return *state;
}

// Longest dotted prefix of `name` in `loggers` ("sources.file" -> "sources"), else `fallback`.
spdlog::level::level_enum LevelFor(const State& state, std::string_view name) {
  std::string_view prefix = name;
  while (true) {
    auto it = state.loggers.find(std::string(prefix));
    if (it != state.loggers.end()) return it->second;
    size_t dot = prefix.rfind('.');
    if (dot == std::string_view::npos) return state.level;
    prefix = prefix.substr(0, dot);
  }
}

// Requires state.mutex.
std::shared_ptr<spdlog::logger> GetOrCreateLocked(State& state, std::string_view component) {
  std::string name(component);
  if (auto existing = spdlog::get(name)) return existing;
  auto logger = std::make_shared<spdlog::logger>(name, state.sinks.begin(), state.sinks.end());
  logger->set_level(LevelFor(state, name));
  logger->flush_on(spdlog::level::warn);
  try {
    spdlog::register_logger(logger);
  } catch (const spdlog::spdlog_ex&) {
    // Registered by another path in the meantime: use that one.
    if (auto existing = spdlog::get(name)) return existing;
  }
  return logger;
}

void AppendUtf8Escaped(std::string_view text, spdlog::memory_buf_t& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  auto put = [&out](std::string_view s) { out.append(s.data(), s.data() + s.size()); };
  size_t i = 0;
  while (i < text.size()) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c == '"') {
      put("\\\"");
    } else if (c == '\\') {
      put("\\\\");
    } else if (c == '\n') {
      put("\\n");
    } else if (c == '\r') {
      put("\\r");
    } else if (c == '\t') {
      put("\\t");
    } else if (c < 0x20) {
      char escaped[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xf]};
      put(std::string_view(escaped, sizeof(escaped)));
    } else if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else {
      // Copy a well-formed UTF-8 sequence; anything else becomes U+FFFD.
      size_t length = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c <= 0xdf ? 2 : 0;
      bool valid = length > 0 && i + length <= text.size();
      for (size_t k = 1; valid && k < length; ++k) {
        valid = (static_cast<unsigned char>(text[i + k]) & 0xc0) == 0x80;
      }
      if (valid && length >= 3) {
        auto c1 = static_cast<unsigned char>(text[i + 1]);
        // Reject overlong forms, surrogates and code points past U+10FFFF.
        if ((c == 0xe0 && c1 < 0xa0) || (c == 0xed && c1 > 0x9f) || (c == 0xf0 && c1 < 0x90) ||
            (c == 0xf4 && c1 > 0x8f)) {
          valid = false;
        }
      }
      if (valid) {
        put(text.substr(i, length));
        i += length;
        continue;
      }
      put("\xef\xbf\xbd");
    }
    ++i;
  }
}

}  // namespace

void JsonLogFormatter::format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) {
  using std::chrono::duration_cast;
  auto since_epoch = msg.time.time_since_epoch();
  auto seconds = duration_cast<std::chrono::seconds>(since_epoch);
  auto micros = duration_cast<std::chrono::microseconds>(since_epoch - seconds).count();
  std::time_t t = static_cast<std::time_t>(seconds.count());
  std::tm utc{};
  gmtime_r(&t, &utc);
  fmt::format_to(std::back_inserter(dest),
                 "{{\"ts\":\"{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z\",\"level\":\"{}\","
                 "\"logger\":\"",
                 utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min,
                 utc.tm_sec, micros, LevelName(msg.level));
  AppendUtf8Escaped(std::string_view(msg.logger_name.data(), msg.logger_name.size()), dest);
  constexpr std::string_view kMsg = "\",\"msg\":\"";
  dest.append(kMsg.data(), kMsg.data() + kMsg.size());
  AppendUtf8Escaped(std::string_view(msg.payload.data(), msg.payload.size()), dest);
  constexpr std::string_view kEnd = "\"}\n";
  dest.append(kEnd.data(), kEnd.data() + kEnd.size());
}

std::unique_ptr<spdlog::formatter> JsonLogFormatter::clone() const {
  return std::make_unique<JsonLogFormatter>();
}

Status SetUpLogging(const LoggingConfig& config) {
  std::optional<spdlog::level::level_enum> level = ParseLevel(config.level);
  if (!level) return InvalidArgument("unknown log level '" + config.level + "'");
  std::map<std::string, spdlog::level::level_enum> loggers;
  for (const auto& [name, level_name] : config.loggers) {
    std::optional<spdlog::level::level_enum> logger_level = ParseLevel(level_name);
    if (!logger_level) {
      std::string message = "unknown log level '" + level_name;
      message += "' for logger '" + name + "'";
      return InvalidArgument(std::move(message));
    }
    loggers.emplace(name, *logger_level);
  }
  if (config.console_format != "text" && config.console_format != "json") {
    return InvalidArgument("unknown console_format '" + config.console_format + "'");
  }

  std::vector<spdlog::sink_ptr> sinks;
  try {
    if (config.console) {
      auto console = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
      if (config.console_format == "json") {
        console->set_formatter(std::make_unique<JsonLogFormatter>());
      } else {
        console->set_pattern(std::string(kTextPattern));
      }
      sinks.push_back(std::move(console));
    }
    if (!config.file.empty()) {
      // spdlog creates the directory and opens the file now, so a bad path fails here.
      auto file = std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
          config.file.string(), static_cast<size_t>(config.file_max_bytes),
          static_cast<size_t>(config.file_max_files));
      if (config.json) {
        file->set_formatter(std::make_unique<JsonLogFormatter>());
      } else {
        file->set_pattern("[%Y-%m-%d %H:%M:%S.%e] [%l] [%n] %v");
      }
      sinks.push_back(std::move(file));
    }
  } catch (const std::exception& e) {
    return FailedPrecondition("cannot set up logging to '" + config.file.string() +
                              "': " + e.what());
  }

  State& state = GetState();
  std::lock_guard lock(state.mutex);
  state.sinks = std::move(sinks);
  state.level = *level;
  state.loggers = std::move(loggers);
  try {
    spdlog::apply_all([&state](const std::shared_ptr<spdlog::logger>& logger) {
      logger->flush();
      logger->sinks() = state.sinks;
      logger->set_level(LevelFor(state, logger->name()));
      logger->flush_on(spdlog::level::warn);
    });
    auto default_logger = GetOrCreateLocked(state, kDefaultLoggerName);
    spdlog::set_default_logger(default_logger);
    // Warnings and errors reach the file at once (flush_on above); the rest within a second.
    spdlog::flush_every(std::chrono::seconds(1));
  } catch (const std::exception& e) {
    return Internal(std::string("cannot set up logging: ") + e.what());
  }
  return Status::Ok();
}

std::shared_ptr<spdlog::logger> GetLogger(std::string_view component) {
  State& state = GetState();
  std::lock_guard lock(state.mutex);
  return GetOrCreateLocked(state, component);
}

}  // namespace assay::config
