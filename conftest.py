pytest_plugins = ["notify_testkit.fixtures"]
