//! `measure_functions`: computes the metric columns of every function whose span changed (new
//! functions included), in parallel. Each column is written only when its value changes, so
//! `Changed<Cyclomatic>` and friends mark exactly the rows whose metric moved.

use bevy_ecs::prelude::*;
use codepulse_components::{
    Cognitive, Cyclomatic, FunctionName, FunctionOf, FunctionSpan, Lang, Loc, MaxNesting, Params,
    SourceText, SyntaxTree,
};

use crate::analysis::{find_function_node, loc, measure_function};
use crate::lang::LangSpec;

type Columns<'a> = (
    &'a FunctionOf,
    &'a FunctionName,
    &'a FunctionSpan,
    Mut<'a, Cyclomatic>,
    Mut<'a, Cognitive>,
    Mut<'a, MaxNesting>,
    Mut<'a, Loc>,
    Mut<'a, Params>,
);

type ColumnsQuery = (
    &'static FunctionOf,
    &'static FunctionName,
    &'static FunctionSpan,
    &'static mut Cyclomatic,
    &'static mut Cognitive,
    &'static mut MaxNesting,
    &'static mut Loc,
    &'static mut Params,
);

pub fn measure_functions(
    mut functions: Query<ColumnsQuery, Changed<FunctionSpan>>,
    files: Query<(&Lang, &SourceText, &SyntaxTree)>,
) {
    functions.par_iter_mut().for_each(|columns: Columns<'_>| {
        let (of, name, span, mut cyclomatic, mut cognitive, mut max_nesting, mut lines, mut params) = columns;
        let Ok((lang, text, tree)) = files.get(of.0) else { return };
        let spec = LangSpec::get(lang.0);
        let Some(node) = find_function_node(&tree.0, span.start_byte as usize, span.end_byte as usize, spec) else {
            return;
        };
        let m = measure_function(node, &text.0, spec, &name.name, &name.qualified);
        cyclomatic.set_if_neq(Cyclomatic(m.cyclomatic));
        cognitive.set_if_neq(Cognitive(m.cognitive));
        max_nesting.set_if_neq(MaxNesting(m.max_nesting));
        lines.set_if_neq(Loc(loc(span.start_line, span.end_line)));
        params.set_if_neq(Params(m.params));
    });
}
