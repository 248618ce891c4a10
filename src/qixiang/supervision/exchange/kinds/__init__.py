"""One module per exchanged record kind (contract: :mod:`..interface`)."""
