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

