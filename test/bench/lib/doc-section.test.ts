import { describe, expect, it } from 'vitest';
import { keepingSections, section, withSection } from '../../../bench/lib/doc-section.js';

const previous = ['# Old page', '', 'old peers table', '', section('workers', 'old workers'), '', section('soak-hour', 'the hour, measured by hand'), ''].join('\n');

describe('withSection', () => {
  it('replaces a section in place and appends a missing one', () => {
    const replaced = withSection(previous, 'workers', 'new workers');
    expect(replaced).toContain('new workers');
    expect(replaced).not.toContain('old workers');
    expect(replaced.indexOf('new workers')).toBeLessThan(replaced.indexOf('the hour'));
    expect(withSection('# Page\n', 'tune', 'grid')).toBe(`# Page\n\n${section('tune', 'grid')}\n`);
  });
});

describe('keepingSections', () => {
  it('keeps every marked section of the previous page that the new page lacks, after it', () => {
    const page = keepingSections(previous, '# New page\n\nnew peers table\n');
    expect(page.startsWith('# New page\n\nnew peers table\n\n')).toBe(true);
    expect(page).not.toContain('old peers table');
    expect(page).toContain(section('workers', 'old workers'));
    expect(page).toContain(section('soak-hour', 'the hour, measured by hand'));
    expect(page.indexOf('old workers')).toBeLessThan(page.indexOf('the hour'));
  });

  it('does not keep a section the new page has itself, nor one without its end marker', () => {
    const page = keepingSections(`${previous}\n<!-- broken:begin -->\nno end`, `# New\n\n${section('workers', 'fresh workers')}\n`);
    expect(page.match(/<!-- workers:begin -->/g)).toHaveLength(1);
    expect(page).toContain('fresh workers');
    expect(page).not.toContain('old workers');
    expect(page).not.toContain('broken');
    expect(page).toContain('the hour, measured by hand');
  });

  it('returns the new page as it is when the previous one had no sections (or did not exist)', () => {
    expect(keepingSections('', '# New\n')).toBe('# New\n');
    expect(keepingSections('# Old\n', '# New\n')).toBe('# New\n');
  });
});
