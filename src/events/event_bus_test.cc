#include "events/event_bus.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <stdexcept>
#include <thread>
#include <vector>

namespace assay::events {
namespace {

using std::chrono_literals::operator""ms;

Event Make(std::string_view topic, std::int64_t i = 0) {
  Event event = Event::Make(topic);
  event.Set("i", i);
  return event;
}

std::int64_t AttrInt(const Event& event, std::string_view key) {
  return std::get<std::int64_t>(*event.Find(key));
}

// Polls `condition` for up to two seconds; for states another thread reaches "soon".
template <typename F>
bool Eventually(F condition) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(1ms);
  }
  return condition();
}

TEST(EventBus, OrderedPerTopicWithFourPublishers) {
  constexpr int kPublishers = 4;
  constexpr int kPerPublisher = 25000;  // 100k events in all
  // A small queue so publishers keep hitting backpressure while the order is checked.
  EventBus bus(EventBusOptions{.queue_capacity = 64});
  // Touched only by the dispatcher until Flush returns.
  std::map<std::string, std::vector<std::pair<std::int64_t, std::int64_t>>> seen;
  std::map<std::string, std::uint64_t> last_sequence;
  bool sequences_increase = true;
  bus.Subscribe("*", [&](const Event& event) {
    seen[event.topic].emplace_back(AttrInt(event, "publisher"), AttrInt(event, "i"));
    std::uint64_t& last = last_sequence[event.topic];
    if (event.sequence <= last) sequences_increase = false;
    last = event.sequence;
  });

  const std::vector<std::string_view> topics = {topic::kBatchProcessed, topic::kSourceStarted,
                                                topic::kSinkCommitted};
  std::vector<std::thread> publishers;
  publishers.reserve(kPublishers);
  for (int p = 0; p < kPublishers; ++p) {
    publishers.emplace_back([&, p] {
      for (int i = 0; i < kPerPublisher; ++i) {
        Event event = Event::Make(topics[i % topics.size()]);
        event.Set("publisher", p).Set("i", i);
        bus.Publish(std::move(event));
      }
    });
  }
  for (std::thread& t : publishers) t.join();
  bus.Flush();

  EXPECT_TRUE(sequences_increase);
  size_t total = 0;
  for (const auto& [topic_name, events] : seen) {
    total += events.size();
    // Per topic, each publisher's events arrive in the order it published them.
    std::vector<std::int64_t> next(kPublishers, -1);
    for (const auto& [publisher, i] : events) {
      ASSERT_GT(i, next[publisher]) << topic_name << " publisher " << publisher;
      next[publisher] = i;
    }
  }
  EXPECT_EQ(total, size_t{kPublishers} * kPerPublisher);
  EXPECT_EQ(bus.metrics().GetCounter(metric::kEventBusPublishedTotal).value(), total);
}

TEST(EventBus, BackpressureBlocksPublishAndFailsTryPublish) {
  EventBus bus(EventBusOptions{.queue_capacity = 8});
  std::promise<void> entered;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> delivered = 0;
  bus.Subscribe("x.slow", [&](const Event& event) {
    if (AttrInt(event, "i") == 0) {
      entered.set_value();
      released.wait();
    }
    delivered.fetch_add(1);
  });

  bus.Publish(Make("x.slow", 0));
  entered.get_future().wait();  // the dispatcher is now stuck in the subscriber
  for (int i = 1; i <= 8; ++i) EXPECT_TRUE(bus.TryPublish(Make("x.slow", i))) << i;
  EXPECT_EQ(bus.queue_depth(), 8u);
  EXPECT_FALSE(bus.TryPublish(Make("x.slow", 99)));

  std::atomic<bool> publish_returned = false;
  std::thread blocked([&] {
    bus.Publish(Make("x.slow", 9));
    publish_returned = true;
  });
  Counter& blocked_total = bus.metrics().GetCounter(metric::kEventBusPublishBlockedTotal);
  EXPECT_TRUE(Eventually([&] { return blocked_total.value() == 1; }));
  std::this_thread::sleep_for(50ms);
  EXPECT_FALSE(publish_returned);

  release.set_value();
  blocked.join();
  EXPECT_TRUE(publish_returned);
  bus.Flush();
  EXPECT_EQ(delivered, 10);  // 0..9; the rejected TryPublish never arrives
  EXPECT_EQ(bus.metrics().GetCounter(metric::kEventBusRejectedTotal, {{"reason", "full"}}).value(),
            1u);
}

TEST(EventBus, FlushWaitsForDelivery) {
  EventBus bus;
  std::atomic<int> delivered = 0;
  bus.Subscribe("*", [&](const Event&) {
    std::this_thread::sleep_for(std::chrono::microseconds(200));
    delivered.fetch_add(1);
  });
  for (int i = 0; i < 200; ++i) bus.Publish(Make("run.started", i));
  bus.Flush();
  EXPECT_EQ(delivered, 200);
  EXPECT_EQ(bus.queue_depth(), 0u);
  bus.Flush();  // nothing pending: returns at once
}

TEST(EventBus, StopDrainsThenRejects) {
  MetricsRegistry registry;
  std::atomic<int> delivered = 0;
  {
    EventBus bus(EventBusOptions{.queue_capacity = 1000, .metrics = &registry});
    bus.Subscribe("*", [&](const Event&) {
      std::this_thread::sleep_for(std::chrono::microseconds(100));
      delivered.fetch_add(1);
    });
    for (int i = 0; i < 300; ++i) bus.Publish(Make("batch.processed", i));
    bus.Stop();
    EXPECT_EQ(delivered, 300);
    bus.Publish(Make("batch.processed"));
    EXPECT_FALSE(bus.TryPublish(Make("batch.processed")));
    bus.Flush();  // after Stop: returns at once
    bus.Stop();   // idempotent
  }
  EXPECT_EQ(delivered, 300);
  EXPECT_EQ(registry.GetCounter(metric::kEventBusRejectedTotal, {{"reason", "stopped"}}).value(),
            2u);
}

TEST(EventBus, DestructorDrains) {
  std::atomic<int> delivered = 0;
  {
    EventBus bus;
    bus.Subscribe("*", [&](const Event&) { delivered.fetch_add(1); });
    for (int i = 0; i < 1000; ++i) bus.Publish(Make("batch.processed", i));
  }
  EXPECT_EQ(delivered, 1000);
}

TEST(EventBus, StopReleasesBlockedPublishers) {
  EventBus bus(EventBusOptions{.queue_capacity = 1});
  std::promise<void> entered;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> delivered = 0;
  bus.Subscribe("*", [&](const Event& event) {
    if (AttrInt(event, "i") == 0) {
      entered.set_value();
      released.wait();
    }
    delivered.fetch_add(1);
  });
  bus.Publish(Make("a.b", 0));
  entered.get_future().wait();
  bus.Publish(Make("a.b", 1));  // fills the queue
  std::atomic<bool> publish_returned = false;
  std::thread blocked([&] {
    bus.Publish(Make("a.b", 2));
    publish_returned = true;
  });
  EXPECT_TRUE(Eventually(
      [&] { return bus.metrics().GetCounter(metric::kEventBusPublishBlockedTotal).value() == 1; }));
  std::thread stopper([&] { bus.Stop(); });
  // The blocked publisher returns (its event dropped and counted) without waiting for the drain.
  EXPECT_TRUE(Eventually([&] { return publish_returned.load(); }));
  release.set_value();
  stopper.join();
  blocked.join();
  EXPECT_EQ(delivered, 2);
  EXPECT_EQ(
      bus.metrics().GetCounter(metric::kEventBusRejectedTotal, {{"reason", "stopped"}}).value(),
      1u);
}

TEST(EventBus, ThrowingSubscriberDoesNotStopDelivery) {
  EventBus bus;
  int counted = 0;
  bus.Subscribe("*", [](const Event&) { throw std::runtime_error("boom"); });
  bus.Subscribe("*", [](const Event& event) {
    if (AttrInt(event, "i") % 2 == 1) throw 42;  // not a std::exception
  });
  bus.Subscribe("*", [&](const Event&) { ++counted; });
  for (int i = 0; i < 10; ++i) bus.Publish(Make("quality.alert", i));
  bus.Flush();
  EXPECT_EQ(counted, 10);
  EXPECT_EQ(bus.metrics()
                .GetCounter(metric::kErrorsTotal,
                            {{"stage", "event_bus"}, {"code", "subscriber_exception"}})
                .value(),
            15u);
  // The dispatcher is still alive.
  bus.Publish(Make("quality.alert", 0));
  bus.Flush();
  EXPECT_EQ(counted, 11);
}

TEST(EventBus, PublishFromCallbackDoesNotDeadlockOnAFullQueue) {
  // Capacity 1: the first event a callback publishes fills the queue, so a blocking Publish on
  // the dispatcher thread would wait for itself forever.
  EventBus bus(EventBusOptions{.queue_capacity = 1});
  constexpr int kFanOut = 20;
  std::vector<std::pair<std::int64_t, std::int64_t>> finished;  // (parent, child)
  bool inner_try_publish_ok = true;
  bus.Subscribe(std::string(topic::kRunStarted), [&](const Event& event) {
    for (int child = 0; child < kFanOut; ++child) {
      Event out = Make(topic::kRunFinished, child);
      out.Set("parent", AttrInt(event, "i"));
      bus.Publish(std::move(out));
    }
    // The queue is over capacity now: TryPublish refuses rather than blocks.
    inner_try_publish_ok = bus.TryPublish(Make(topic::kRunFinished, -1));
    bus.Flush();  // from the dispatcher: returns at once instead of waiting for itself
  });
  bus.Subscribe(std::string(topic::kRunFinished), [&](const Event& event) {
    finished.emplace_back(AttrInt(event, "parent"), AttrInt(event, "i"));
  });
  for (int parent = 0; parent < 3; ++parent) bus.Publish(Make(topic::kRunStarted, parent));
  // Flush also waits for the events the callbacks published (the cascade).
  bus.Flush();
  ASSERT_EQ(finished.size(), size_t{3} * kFanOut);
  EXPECT_FALSE(inner_try_publish_ok);
  for (size_t k = 0; k < finished.size(); ++k) {
    EXPECT_EQ(finished[k].first, static_cast<std::int64_t>(k / kFanOut));
    EXPECT_EQ(finished[k].second, static_cast<std::int64_t>(k % kFanOut));
  }
}

TEST(EventBus, PrefixAndExactPatterns) {
  EventBus bus;
  std::map<std::string, std::vector<std::string>> got;
  auto record = [&](const std::string& name) {
    return [&got, name](const Event& event) { got[name].push_back(event.topic); };
  };
  bus.Subscribe("source.*", record("source.*"));
  bus.Subscribe("*", record("*"));
  bus.Subscribe("source.started", record("source.started"));
  bus.Subscribe("sink.*", record("sink.*"));
  EXPECT_EQ(bus.Subscribe("source*", record("bad")), kInvalidSubscriptionId);
  EXPECT_EQ(bus.Subscribe("*", nullptr), kInvalidSubscriptionId);
  for (std::string_view t : {"source.started", "source.failed", "sink.committed", "run.started",
                             "sources.other", "source"}) {
    bus.Publish(Event::Make(t));
  }
  bus.Flush();
  EXPECT_EQ(got["source.*"], (std::vector<std::string>{"source.started", "source.failed"}));
  EXPECT_EQ(got["source.started"], (std::vector<std::string>{"source.started"}));
  EXPECT_EQ(got["sink.*"], (std::vector<std::string>{"sink.committed"}));
  EXPECT_EQ(got["*"].size(), 6u);
  EXPECT_FALSE(got.contains("bad"));
}

TEST(EventBus, UnsubscribeWaitsForARunningCallback) {
  EventBus bus;
  std::promise<void> entered;
  std::atomic<bool> callback_finished = false;
  std::atomic<int> calls = 0;
  const SubscriptionId id = bus.Subscribe("*", [&](const Event&) {
    if (calls.fetch_add(1) == 0) {
      entered.set_value();
      std::this_thread::sleep_for(50ms);
      callback_finished = true;
    }
  });
  ASSERT_NE(id, kInvalidSubscriptionId);
  bus.Publish(Make("a.b"));
  entered.get_future().wait();
  EXPECT_TRUE(bus.Unsubscribe(id));
  EXPECT_TRUE(callback_finished);  // Unsubscribe returned only after the callback did
  bus.Publish(Make("a.b"));
  bus.Flush();
  EXPECT_EQ(calls, 1);
  EXPECT_FALSE(bus.Unsubscribe(id));
}

TEST(EventBus, UnsubscribeFromInsideItsOwnCallback) {
  EventBus bus;
  int calls = 0;
  SubscriptionId id = kInvalidSubscriptionId;
  std::promise<void> subscribed;
  std::shared_future<void> ready = subscribed.get_future().share();
  id = bus.Subscribe("*", [&](const Event&) {
    ready.wait();
    ++calls;
    EXPECT_TRUE(bus.Unsubscribe(id));
  });
  subscribed.set_value();
  for (int i = 0; i < 5; ++i) bus.Publish(Make("a.b", i));
  bus.Flush();
  EXPECT_EQ(calls, 1);
}

TEST(EventBus, StopFromInsideACallback) {
  std::atomic<int> delivered = 0;
  {
    EventBus bus;
    bus.Subscribe("*", [&](const Event& event) {
      delivered.fetch_add(1);
      if (AttrInt(event, "i") == 0) bus.Stop();  // must not try to join itself
    });
    bus.Publish(Make("a.b", 0));
    bus.Flush();
    EXPECT_FALSE(bus.TryPublish(Make("a.b", 1)));
  }
  EXPECT_EQ(delivered, 1);
}

TEST(EventBus, RecentKeepsTheLastEventsOldestFirst) {
  EventBus bus(EventBusOptions{.recent_capacity = 5});
  for (int i = 0; i < 8; ++i) {
    bus.Publish(Make(i % 2 == 0 ? topic::kSourceStarted : topic::kSinkCommitted, i));
  }
  bus.Flush();
  const std::vector<Event> all = bus.Recent(100);
  ASSERT_EQ(all.size(), 5u);
  for (size_t k = 0; k < all.size(); ++k) {
    EXPECT_EQ(AttrInt(all[k], "i"), static_cast<std::int64_t>(k + 3));
    EXPECT_EQ(all[k].sequence, k + 4);  // sequences start at 1
  }
  const std::vector<Event> last_two = bus.Recent(2);
  ASSERT_EQ(last_two.size(), 2u);
  EXPECT_EQ(AttrInt(last_two[0], "i"), 6);
  EXPECT_EQ(AttrInt(last_two[1], "i"), 7);
  const std::vector<Event> sources = bus.Recent(10, "source.*");
  ASSERT_EQ(sources.size(), 2u);  // 4 and 6 are still in the ring
  EXPECT_EQ(AttrInt(sources[0], "i"), 4);
  EXPECT_EQ(AttrInt(sources[1], "i"), 6);
  EXPECT_TRUE(bus.Recent(10, topic::kRunStarted).empty());
}

TEST(EventBus, AssignsSequenceAndFillsMissingTimestamp) {
  EventBus bus;
  Event event;
  event.topic = "run.started";
  bus.Publish(event);
  bus.Flush();
  const std::vector<Event> recent = bus.Recent(1);
  ASSERT_EQ(recent.size(), 1u);
  EXPECT_EQ(recent[0].sequence, 1u);
  EXPECT_GT(recent[0].timestamp_us, 0);
}

TEST(EventBus, ReportsToASharedRegistry) {
  MetricsRegistry registry;
  EventBus bus(EventBusOptions{.metrics = &registry});
  EXPECT_EQ(&bus.metrics(), &registry);
  for (int i = 0; i < 3; ++i) bus.Publish(Make("run.started", i));
  bus.Flush();
  const std::string text = registry.RenderPrometheus();
  EXPECT_NE(text.find("event_bus_published_total 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("event_bus_queue_depth 0\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace assay::events
