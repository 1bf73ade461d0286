; Python symbols (tree-sitter-python 0.25). Capture convention: docs/graph.md.
; When two patterns define the same node, the earlier pattern's kind wins.

; --- methods: functions directly in a class body (possibly decorated) ---
(class_definition
  body: (block
    (function_definition
      name: (identifier) @name) @definition.method))

(class_definition
  body: (block
    (decorated_definition
      definition: (function_definition
        name: (identifier) @name) @definition.method)))

; --- definitions ---
(function_definition
  name: (identifier) @name) @definition.function

(class_definition
  name: (identifier) @name) @definition.class

(class_definition
  superclasses: (argument_list
    [(identifier) (attribute)] @implements)) @definition.class

; module-level variables (`X = 1`, `X: int = 1`)
(module
  (expression_statement
    (assignment
      left: (identifier) @name) @definition.variable))

; `__all__ = ["a", "b"]` (or a tuple) lists the exported names
(module
  (expression_statement
    (assignment
      left: (identifier) @_all
      right: [(list (string (string_content) @export))
              (tuple (string (string_content) @export))]))
  (#eq? @_all "__all__"))

; --- references ---
(call
  function: (identifier) @name) @reference.call

(call
  function: (attribute
    object: (_) @receiver
    attribute: (identifier) @name)) @reference.call

(type (identifier) @reference.type)
(type (attribute) @reference.type)
(generic_type (identifier) @reference.type)
(type_parameter (type (identifier) @reference.type))

(import_statement
  name: [
    (dotted_name) @name
    (aliased_import name: (dotted_name) @name)
  ]) @reference.import

(import_from_statement
  module_name: (_) @receiver
  name: [
    (dotted_name) @name
    (aliased_import name: (dotted_name) @name)
  ]) @reference.import

(import_from_statement
  module_name: (_) @receiver
  (wildcard_import) @name) @reference.import

; a function or class named as a value: an argument (`Thread(target=worker)`, `map(f, xs)`),
; a dict value, a list element, the right side of a module- or class-level assignment
; (`handler = _impl`)
(call
  arguments: (argument_list
    (identifier) @name @reference.value))
(call
  arguments: (argument_list
    (keyword_argument value: (identifier) @name @reference.value)))
(pair value: (identifier) @name @reference.value)
(list (identifier) @name @reference.value)
(module
  (expression_statement
    (assignment right: (identifier) @name @reference.value)))
(class_definition
  body: (block
    (expression_statement
      (assignment right: (identifier) @name @reference.value))))

; a constant by its conventional name (`LIMIT`, `MAX_LEN`)
((identifier) @reference.value
  (#match? @reference.value "^_*[A-Z][A-Z0-9_]*$"))
