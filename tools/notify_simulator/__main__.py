"""`python -m notify_simulator`: MMG, Firetext and SES v2 shaped endpoints that post receipts back."""
from .app import serve
from .settings import SimulatorSettings

if __name__ == "__main__":
    serve(SimulatorSettings.from_env())
