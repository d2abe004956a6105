"""`python -m notify_sender`: the send worker."""
from .app import main

if __name__ == "__main__":
    main()
