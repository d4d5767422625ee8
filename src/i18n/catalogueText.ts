/** The shape of a string-table entry (the tables are ./strings.*.ts; ./locales.ts words them). */

/**
 * A message whose words depend on a number: one wording per plural category of the language
 * (CLDR, through Intl.PluralRules) for the number in its `{count}` parameter; `other` is required.
 * English has "one" and "other" ("1 file", "3 files"); Chinese has only "other" ("1 个文件"), so its
 * messages stay plain strings.
 */
export type PluralText = Partial<Record<Intl.LDMLPluralRule, string>> & { other: string };
/** A catalogue entry: a sentence, or its plural forms. */
export type Text = string | PluralText;
