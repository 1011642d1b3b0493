"""One module per CLI verb: ``add_parser(subparsers, name, parents)`` and ``run(args, config) -> int``."""
