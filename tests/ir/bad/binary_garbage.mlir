// expect: IRParseError 2:10 unexpected character
module {  }
