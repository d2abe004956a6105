pytest_plugins = ["notify_testkit.fixtures", "notify_testkit.drills"]
