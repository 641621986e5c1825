// The privacy rule table (src/privacy/rules.json) as extension/privacy-rules.js
// hands it to the content script; tests/privacy_rules.rs checks the copy.
export interface PrivacyRules {
  keptInputTypes: string[];
  checkInputTypes: string[];
  refusedInputTypes: string[];
  refusedAutocomplete: string[];
  refusedAutocompletePrefixes: string[];
  secretNames: string[];
  cardDigitsMin: number;
  cardDigitsMax: number;
  cardFirstDigits: string;
  cardSeparators: string;
  maxValueChars: number;
  maxNameChars: number;
  maxFieldsPerFrame: number;
  maxPathKeyedPerFrame: number;
  maxFrameChars: number;
  maxSelected: number;
}
