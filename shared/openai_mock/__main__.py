"""`python -m openai_mock serve …`: the same command line as `openai-mock`."""

from openai_mock.local.cli import main

if __name__ == "__main__":
    main()
