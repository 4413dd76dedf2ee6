"""Run the command line as ``python -m assembler``."""

from assembler.cli import main

if __name__ == "__main__":
    main()
