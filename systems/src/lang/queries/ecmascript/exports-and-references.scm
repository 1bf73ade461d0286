;; Shared by JavaScript and TypeScript/TSX (their grammars agree on these nodes): export lists and
;; statements, calls, `new` and imports. Appended to each language's own patterns
;; (`lang/javascript.rs`, `lang/typescript.rs`).

(export_statement
  "export" @visibility
  declaration: [
    (lexical_declaration (variable_declarator name: (identifier) @name) @definition.variable)
    (variable_declaration (variable_declarator name: (identifier) @name) @definition.variable)
  ])

(export_statement
  !source
  (export_clause (export_specifier name: (identifier) @export)))

(export_statement
  value: (identifier) @export)

; --- references ---
(call_expression
  function: (identifier) @name) @reference.call

(call_expression
  function: (member_expression
    object: (_) @receiver
    property: [(property_identifier) (private_property_identifier)] @name)) @reference.call

(new_expression
  constructor: (identifier) @name) @reference.call

(new_expression
  constructor: (member_expression
    object: (_) @receiver
    property: (property_identifier) @name)) @reference.call

(import_statement
  source: (string (string_fragment) @name)) @reference.import

(import_statement
  (import_clause
    [(identifier) @name
     (named_imports (import_specifier name: (identifier) @name))
     (namespace_import (identifier) @name)])
  source: (string (string_fragment) @receiver)) @reference.import

; a function named as a value: an argument (`setTimeout(handler)`, `xs.map(f)`), an array
; element, a property value
(arguments (identifier) @name @reference.value)
(array (identifier) @name @reference.value)
(pair value: (identifier) @name @reference.value)

; a constant by its conventional name (`LIMIT`, `MAX_LEN`)
((identifier) @reference.value
  (#match? @reference.value "^[A-Z][A-Z0-9_]*$"))
