; JavaScript symbols (tree-sitter-javascript 0.25). Capture convention: docs/graph.md.
; When two patterns define the same node, the earlier pattern's kind wins.

; --- definitions ---
(function_declaration
  name: (identifier) @name) @definition.function

(generator_function_declaration
  name: (identifier) @name) @definition.function

(variable_declarator
  name: (identifier) @name
  value: [(arrow_function) (function_expression) (generator_function)]) @definition.function

(class_declaration
  name: (identifier) @name) @definition.class

(class_declaration
  (class_heritage [(identifier) (member_expression)] @implements)) @definition.class

(method_definition
  name: [(property_identifier) (private_property_identifier)] @name) @definition.method

; module-level variables
(program
  [(lexical_declaration (variable_declarator name: (identifier) @name) @definition.variable)
   (variable_declaration (variable_declarator name: (identifier) @name) @definition.variable)])

; --- exports ---
(export_statement
  "export" @visibility
  declaration: [
    (function_declaration) @definition.function
    (generator_function_declaration) @definition.function
    (class_declaration) @definition.class
  ])

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
