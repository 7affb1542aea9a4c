import { describe, expect, it } from 'vitest';
import { assertXmlSafe, decodeXmlText, XmlValueError } from '../src/index.js';

describe('XML text rules shared by the XML clients', () => {
  it('decodes the five standard entities and character references once, and nothing else', () => {
    expect(decodeXmlText('Smith &amp; Sons &lt;HVAC&gt; &quot;A&quot; &apos;B&apos;')).toBe(`Smith & Sons <HVAC> "A" 'B'`);
    expect(decodeXmlText('&amp;lt; stays &amp;lt;')).toBe('&lt; stays &lt;');
    expect(decodeXmlText('Z&#252;rich &#x1F3D7;')).toBe('Zürich 🏗');
    // A DOCTYPE-declared entity is not expanded: there is nothing to expand it with.
    expect(decodeXmlText('&xxe; &#0; &#x110000;')).toBe('&xxe; &#0; &#x110000;');
  });

  it('names the field of a value XML cannot carry', () => {
    expect(() => assertXmlSafe({ Check: { Notes: 'ok', Memo: ['fine', 'bell\u0007'] } })).toThrow(XmlValueError);
    expect(() => assertXmlSafe({ Check: { Memo: ['fine', 'lone \uD800 surrogate'] } })).toThrow(expect.objectContaining({ path: 'Check.Memo[1]' }));
    expect(() => assertXmlSafe({ Notes: 'tab\tnewline\n emoji 🚧 & <tags>' })).not.toThrow();
  });
});
