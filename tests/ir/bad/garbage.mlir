// expect: IRParseError 2:1 unexpected
hello, world!
