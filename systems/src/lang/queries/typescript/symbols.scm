; TypeScript and TSX symbols (tree-sitter-typescript 0.23; the same query compiles against both
; grammars). Capture convention: docs/graph.md.
; When two patterns define the same node, the earlier pattern's kind wins.

; --- definitions ---
(function_declaration
  name: (identifier) @name) @definition.function

(generator_function_declaration
  name: (identifier) @name) @definition.function

(function_signature
  name: (identifier) @name) @definition.function

(variable_declarator
  name: (identifier) @name
  value: [(arrow_function) (function_expression) (generator_function)]) @definition.function

(class_declaration
  name: (type_identifier) @name) @definition.class

(abstract_class_declaration
  name: (type_identifier) @name) @definition.class

(class_declaration
  (class_heritage
    [(extends_clause value: (_) @implements)
     (implements_clause [(type_identifier) (generic_type name: (_))] @implements)])) @definition.class

(abstract_class_declaration
  (class_heritage
    [(extends_clause value: (_) @implements)
     (implements_clause [(type_identifier) (generic_type name: (_))] @implements)])) @definition.class

(method_definition
  name: [(property_identifier) (private_property_identifier)] @name) @definition.method

(abstract_method_signature
  name: (property_identifier) @name) @definition.method

(method_signature
  name: (property_identifier) @name) @definition.method

(interface_declaration
  name: (type_identifier) @name) @definition.interface

(interface_declaration
  (extends_type_clause type: (_) @implements)) @definition.interface

(enum_declaration
  name: (identifier) @name) @definition.enum

(type_alias_declaration
  name: (type_identifier) @name) @definition.type

(internal_module
  name: [(identifier) (nested_identifier)] @name) @definition.module

(module
  name: [(identifier) (nested_identifier)] @name) @definition.module

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
    (function_signature) @definition.function
    (class_declaration) @definition.class
    (abstract_class_declaration) @definition.class
    (interface_declaration) @definition.interface
    (enum_declaration) @definition.enum
    (type_alias_declaration) @definition.type
    (internal_module) @definition.module
  ])

