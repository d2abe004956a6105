"""notify sender: send-queue consumers and provider clients."""
