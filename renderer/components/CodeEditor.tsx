// One CodeMirror 6 editor for the app (PromQL in the explorer, YAML in the Config view): created
// once per mount, fed new text only when it differs from what it holds (so typing never fights
// React), and reachable through a handle to put the cursor at a line and column.
import { useEffect, useImperativeHandle, useRef, type Ref } from 'react';
import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { bracketMatching, HighlightStyle, indentOnInput, syntaxHighlighting } from '@codemirror/language';
import { lintGutter, lintKeymap, setDiagnostics } from '@codemirror/lint';
import { Compartment, EditorState, type Extension } from '@codemirror/state';
import { EditorView, highlightActiveLine, highlightActiveLineGutter, keymap, lineNumbers, placeholder as placeholderText } from '@codemirror/view';
import { tags } from '@lezer/highlight';

export interface CodeEditorHandle {
  /** Puts the cursor at a 1-based line and column, scrolls it into view and focuses the editor. */
  goTo(line: number, column?: number): void;
  focus(): void;
  /** The cursor's offset in the text. */
  cursor(): number;
}

/**
 * Colours by token kind, from the page's theme (styles.css: --tok-*), each at 4.5:1 or more on
 * its background in the light and the dark theme (WCAG AA; the audit in test/e2e checks it).
 */
const highlight = HighlightStyle.define([
  { tag: [tags.keyword, tags.operatorKeyword, tags.modifier], color: 'var(--tok-keyword)' },
  { tag: [tags.function(tags.variableName), tags.function(tags.propertyName)], color: 'var(--tok-function)' },
  { tag: [tags.string, tags.special(tags.string)], color: 'var(--tok-string)' },
  { tag: [tags.number, tags.bool, tags.null], color: 'var(--tok-number)' },
  { tag: [tags.propertyName, tags.labelName, tags.definition(tags.propertyName)], color: 'var(--tok-property)' },
  { tag: [tags.comment, tags.lineComment], color: 'var(--fg-muted)', fontStyle: 'italic' },
  { tag: [tags.operator, tags.punctuation, tags.separator], color: 'var(--tok-operator)' },
  { tag: tags.invalid, color: 'var(--bad)', textDecoration: 'underline wavy' },
]);

const theme = EditorView.theme({
  '&': { fontSize: '13px', height: '100%' },
  '.cm-scroller': { fontFamily: 'ui-monospace, monospace', lineHeight: '18px' },
  '.cm-gutters': { background: 'transparent', border: 'none', color: 'var(--fg-muted)' },
  '.cm-placeholder': { color: 'var(--fg-muted)' },
  '.cm-activeLine, .cm-activeLineGutter': { background: '#8881' },
  '&.cm-focused': { outline: 'none' },
  '.cm-tooltip': { background: 'Canvas', color: 'CanvasText', border: '1px solid #8886' },
  '.cm-tooltip-autocomplete ul li[aria-selected]': { background: '#0969da', color: 'white' },
});

export interface CodeEditorProps {
  value: string;
  onChange: (text: string) => void;
  /** The language and whatever comes with it (completion, lint). */
  language: Extension;
  label: string;
  /** Ctrl/Cmd+Enter (and Enter too when `singleLine`). */
  onSubmit?: () => void;
  /** A query box: no line numbers, Enter submits (Shift+Enter breaks the line). */
  singleLine?: boolean;
  placeholder?: string;
  /** Problems to mark in the text (underline and gutter), at 1-based lines and columns. */
  problems?: { line: number; column?: number; severity: 'error' | 'warning'; message: string }[];
  /** More keys (CodeMirror's names, `Mod-b`), bound when the editor is made. */
  shortcuts?: Record<string, () => void>;
  ref?: Ref<CodeEditorHandle>;
}

export function CodeEditor({ value, onChange, language, label, onSubmit, singleLine = false, placeholder, problems, shortcuts, ref }: CodeEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView>(undefined);
  const lang = useRef(new Compartment());
  // The latest callbacks, read by the editor's handlers without recreating the editor.
  const callbacks = useRef({ onChange, onSubmit, shortcuts });
  callbacks.current = { onChange, onSubmit, shortcuts };

  useEffect(() => {
    const submit = () => {
      callbacks.current.onSubmit?.();
      return callbacks.current.onSubmit !== undefined;
    };
    const v = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: value,
        extensions: [
          keymap.of([
            { key: 'Mod-Enter', run: submit },
            ...Object.keys(shortcuts ?? {}).map((key) => ({ key, run: () => {
              callbacks.current.shortcuts?.[key]?.();
              return true;
            } })),
            ...(singleLine ? [{ key: 'Enter', run: submit }] : []),
            ...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, ...completionKeymap, ...lintKeymap, indentWithTab,
          ]),
          singleLine ? [] : [lineNumbers(), highlightActiveLineGutter(), highlightActiveLine(), lintGutter()],
          history(), indentOnInput(), bracketMatching(), closeBrackets(), autocompletion(),
          syntaxHighlighting(highlight), theme,
          singleLine ? EditorView.lineWrapping : [],
          placeholder ? placeholderText(placeholder) : [],
          // tabindex: the scrolling editor is reachable by keyboard (an editable region counts as focusable only so).
          EditorView.contentAttributes.of({ 'aria-label': label, 'aria-multiline': 'true', spellcheck: 'false', tabindex: '0' }),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) callbacks.current.onChange(u.state.doc.toString());
          }),
          lang.current.of(language),
        ],
      }),
    });
    view.current = v;
    return () => {
      v.destroy();
      view.current = undefined;
    };
    // The editor is made once; value and language reach it through the effects below.
  }, [label, singleLine]);

  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== value) v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: value } });
  }, [value]);

  useEffect(() => {
    view.current?.dispatch({ effects: lang.current.reconfigure(language) });
  }, [language]);

  useEffect(() => {
    const v = view.current;
    if (!v || !problems) return;
    const doc = v.state.doc;
    v.dispatch(setDiagnostics(v.state, problems.map((p) => {
      const l = doc.line(Math.min(Math.max(p.line, 1), doc.lines));
      const from = Math.min(l.from + (p.column ?? 1) - 1, l.to);
      // The rest of the line from the column: a YAML key or value, as the checkers point at its start.
      return { from, to: Math.max(from, l.to), severity: p.severity, message: p.message };
    })));
  }, [problems, label]);

  useImperativeHandle(ref, () => ({
    goTo(line, column = 1) {
      const v = view.current;
      if (!v) return;
      const l = v.state.doc.line(Math.min(Math.max(line, 1), v.state.doc.lines));
      const at = Math.min(l.from + column - 1, l.to);
      v.dispatch({ selection: { anchor: at }, effects: EditorView.scrollIntoView(at, { y: 'center' }) });
      v.focus();
    },
    focus() {
      view.current?.focus();
    },
    cursor() {
      return view.current?.state.selection.main.head ?? 0;
    },
  }), []);

  return <div ref={host} className={singleLine ? 'code-editor query' : 'code-editor'} data-label={label} />;
}
