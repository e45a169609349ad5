// expect: IRParseError 2:1 expected 'module'
func.func @f() {
  return
}
