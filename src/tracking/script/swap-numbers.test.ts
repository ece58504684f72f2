import { numberShape } from '../number-shape';
import { swapNumbersInText } from './swap-numbers';

const LONDON = numberShape('+442079460000');
const LEEDS_TRACKING = numberShape('+441134960123');
const LONDON_TRACKING = numberShape('+442079460456');
const US = numberShape('+15550101234');
const US_TRACKING = numberShape('+12125550100');

describe('swapNumbersInText', () => {
  it.each([
    ['020 7946 0000', '020 7946 0456'],
    ['(020) 7946-0000', '(020) 7946-0456'],
    ['+44 20 7946 0000', '+44 20 7946 0456'],
    ['+44 (0)20 7946 0000', '+44 (0)20 7946 0456'],
    ['02079460000', '02079460456'],
    ['0044 20 7946 0000', '0044 20 7946 0456'],
    ['tel:+442079460000', 'tel:+442079460456'],
    ['020\u00a07946\u00a00000', '020\u00a07946\u00a00456'],
  ])('when the page writes %j and the tracking number has the same grouping, then it becomes %j', (page, expected) => {
    expect(swapNumbersInText(page, [LONDON], LONDON_TRACKING)).toBe(expected);
  });

  it.each([
    ['020 7946 0000', '0113 496 0123'],
    ['(020) 7946-0000', '(0113) 496-0123'],
    ['+44 20 7946 0000', '+44 113 496 0123'],
    ['+44 (0)20 7946 0000', '+44 (0)113 496 0123'],
    // Grouped the page's own way: digit for digit.
    ['02079460000', '01134960123'],
    ['0207 946 0000', '0113 496 0123'],
  ])('when the page writes %j and the tracking number is grouped differently, then it becomes %j', (page, expected) => {
    expect(swapNumbersInText(page, [LONDON], LEEDS_TRACKING)).toBe(expected);
  });

  it.each([
    ['(555) 010-1234', '(212) 555-0100'],
    ['555.010.1234', '212.555.0100'],
    ['+1 555-010-1234', '+1 212-555-0100'],
    ['1-555-010-1234', '1-212-555-0100'],
    ['5550101234', '2125550100'],
  ])('when a US page writes %j, then it becomes %j', (page, expected) => {
    expect(swapNumbersInText(page, [US], US_TRACKING)).toBe(expected);
  });

  it('when the text holds the number among other text and numbers, then only the number changes', () => {
    expect(swapNumbersInText('Call 020 7946 0000 (24h), fax 020 7946 0999, order 12345678.', [LONDON], LONDON_TRACKING)).toBe(
      'Call 020 7946 0456 (24h), fax 020 7946 0999, order 12345678.',
    );
  });

  it('when the text holds the number twice, then both change', () => {
    expect(swapNumbersInText('020 7946 0000 or +44 20 7946 0000', [LONDON], LONDON_TRACKING)).toBe('020 7946 0456 or +44 20 7946 0456');
  });

  it('when the digits are part of a longer number, then nothing changes', () => {
    expect(swapNumbersInText('020 7946 00001', [LONDON], LONDON_TRACKING)).toBeNull();
    expect(swapNumbersInText('9020 7946 0000', [LONDON], LONDON_TRACKING)).toBeNull();
  });

  it('when the text has no target, then the answer is null so the node is left alone', () => {
    expect(swapNumbersInText('Open 9-5, Monday to Friday', [LONDON], LONDON_TRACKING)).toBeNull();
  });

  it('when the tracking number is from another country, then it is written in international format', () => {
    expect(swapNumbersInText('Call (555) 010-1234', [US], LEEDS_TRACKING)).toBe('Call +44 113 496 0123');
    expect(swapNumbersInText('Call +1 555 010 1234', [US], LEEDS_TRACKING)).toBe('Call +44 113 496 0123');
  });

  it('when the site has several targets, then each is swapped', () => {
    expect(swapNumbersInText('020 7946 0000 / (555) 010-1234', [LONDON, US], US_TRACKING)).toBe('+1 212 555 0100 / (212) 555-0100');
  });
});

describe('numberShape', () => {
  it.each([
    ['+442079460000', { countryCode: '44', nationalNumber: '2079460000', nationalPrefix: '0', groups: [2, 4, 4], international: '+44 20 7946 0000' }],
    ['+441134960000', { countryCode: '44', nationalNumber: '1134960000', nationalPrefix: '0', groups: [3, 3, 4], international: '+44 113 496 0000' }],
    ['+12125550100', { countryCode: '1', nationalNumber: '2125550100', nationalPrefix: '', groups: [3, 3, 4], international: '+1 212 555 0100' }],
  ])('when %s is taken apart, then its parts are right', (e164, parts) => {
    expect(numberShape(e164)).toEqual({ e164, ...parts });
  });
});
