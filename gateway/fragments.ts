import { Kind, type DocumentNode, type FragmentDefinitionNode, type SelectionNode, type SelectionSetNode } from 'graphql';

/** The document's fragment definitions by name (the last one wins when a name repeats; validation refuses that). */
export function fragmentMap(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  return fragments;
}

/**
 * The selection set with every named fragment spread replaced by an inline fragment on the
 * fragment's type condition, carrying the spread's directives, so each place a fragment is used
 * gets its own copy. A spread of an unknown fragment, or one inside itself (a cycle, which
 * validation refuses), is kept as it is. Unchanged parts are returned as they are, not copied.
 */
export function inlineFragmentSpreads(
  selectionSet: SelectionSetNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  inFragments: readonly string[] = [],
): SelectionSetNode {
  let changed = false;
  const selections = selectionSet.selections.map((selection): SelectionNode => {
    let inlined: SelectionNode = selection;
    if (selection.kind === Kind.FRAGMENT_SPREAD) {
      const name = selection.name.value;
      const fragment = fragments.get(name);
      if (fragment && !inFragments.includes(name)) {
        inlined = {
          kind: Kind.INLINE_FRAGMENT,
          typeCondition: fragment.typeCondition,
          directives: selection.directives,
          selectionSet: inlineFragmentSpreads(fragment.selectionSet, fragments, [...inFragments, name]),
        };
      }
    } else if (selection.selectionSet) {
      const inner = inlineFragmentSpreads(selection.selectionSet, fragments, inFragments);
      if (inner !== selection.selectionSet) inlined = { ...selection, selectionSet: inner };
    }
    if (inlined !== selection) changed = true;
    return inlined;
  });
  return changed ? { ...selectionSet, selections } : selectionSet;
}
