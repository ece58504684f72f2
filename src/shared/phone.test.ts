import { isPossiblePhoneNumber, isValidPhoneNumber } from 'libphonenumber-js';
import { countryOf, formatInternational, formatNational, isE164, toE164, type CountryCode } from './phone';

// Only fictional numbers: Ofcom drama ranges 020 7946 0xxx and 0113 496 0xxx, NANP 555-01xx.
describe('toE164', () => {
  it.each<[string, CountryCode | undefined, string]>([
    ['020 7946 0000', 'GB', '+442079460000'],
    ['02079460999', 'GB', '+442079460999'],
    ['020-7946-0123', 'GB', '+442079460123'],
    ['(020) 7946 0123', 'GB', '+442079460123'],
    ['+44 20 7946 0123', undefined, '+442079460123'],
    ['+44 (0)20 7946 0000', undefined, '+442079460000'],
    ['+44 (0) 20 7946 0000', 'US', '+442079460000'],
    ['+44 020 7946 0000', undefined, '+442079460000'],
    ['0044 20 7946 0000', 'GB', '+442079460000'],
    ['  +442079460000  ', undefined, '+442079460000'],
    ['0113 496 0123', 'GB', '+441134960123'],
    ['+44 113 496 0999', undefined, '+441134960999'],
    ['tel:+44-20-7946-0000', undefined, '+442079460000'],
    ['TEL:+12015550123', undefined, '+12015550123'],
    ['(201) 555-0123', 'US', '+12015550123'],
    ['201.555.0199', 'US', '+12015550199'],
    ['1-201-555-0100', 'US', '+12015550100'],
    ['+1 (212) 555-0142', 'GB', '+12125550142'],
    ['613 555 0123', 'CA', '+16135550123'],
    ['011 44 20 7946 0000', 'US', '+442079460000'],
    ['(555) 010-1234', 'US', '+15550101234'],
  ])('when given %j with default country %s, then returns %s', (input, country, expected) => {
    expect(toE164(input, country)).toBe(expected);
  });

  it.each<[string, CountryCode | undefined]>([
    ['', 'GB'],
    ['   ', 'GB'],
    ['not a number', 'GB'],
    ['020 7946 0000', undefined],
    ['+1 555 0100', undefined],
    ['555-0123', 'US'],
    ['020 7946 00000', 'GB'],
    ['+44 20 7946 0000 ext 12', undefined],
    ['020 7946 0000 x12', 'GB'],
    ['tel:+44-20-7946-0000;ext=12', undefined],
    ['call 020 7946 0000 now', 'GB'],
    ['020 7946 0000 or 0113 496 0000', 'GB'],
  ])('when given %j with default country %s, then returns null', (input, country) => {
    expect(toE164(input, country)).toBeNull();
  });

  it('when the input is longer than 64 characters, then returns null even if it holds one number', () => {
    const padded = (spaces: number) => `+44${' '.repeat(spaces)}20 7946 0000`;
    expect(padded(49)).toHaveLength(64);

    expect(toE164(padded(49))).toBe('+442079460000');
    expect(toE164(padded(50))).toBeNull();
  });

  it('when a fictional number is possible but not valid by the metadata, then it is still accepted', () => {
    // Guards the reason we check isPossible(): a switch to isValid() would reject demo data.
    expect(isValidPhoneNumber('+15550101234')).toBe(false);
    expect(isPossiblePhoneNumber('+15550101234')).toBe(true);

    expect(toE164('+1 555 010 1234')).toBe('+15550101234');
  });

  it('when given a drama number, then the default metadata already considers it valid', () => {
    expect(isValidPhoneNumber('+442079460000')).toBe(true);
    expect(isValidPhoneNumber('+441134960000')).toBe(true);
    expect(isValidPhoneNumber('+12015550123')).toBe(true);
  });

  it('when any number is accepted, then the result passes isE164', () => {
    const inputs = ['020 7946 0000', '0113 496 0500', '+1 201 555 0150', '(555) 010-1234'];
    for (const input of inputs) expect(isE164(toE164(input, 'GB') ?? toE164(input, 'US') ?? '')).toBe(true);
  });
});

describe('formatNational and formatInternational', () => {
  it.each([
    ['+442079460000', '020 7946 0000', '+44 20 7946 0000'],
    ['+441134960123', '0113 496 0123', '+44 113 496 0123'],
    ['+12015550123', '(201) 555-0123', '+1 201 555 0123'],
    ['+16135550199', '(613) 555-0199', '+1 613 555 0199'],
    ['+15550101234', '(555) 010-1234', '+1 555 010 1234'],
  ])('when given %s, then formats as %j and %j', (e164, national, international) => {
    expect(formatNational(e164)).toBe(national);
    expect(formatInternational(e164)).toBe(international);
  });

  it.each([
    ['020 7946 0000'],
    ['442079460000'],
    ['+4402079460000'],
    ['+15550100'],
    ['+44 20 7946 0000'],
    [''],
  ])('when given %j, which is not a canonical possible E.164 number, then returns it unchanged', (input) => {
    expect(formatNational(input)).toBe(input);
    expect(formatInternational(input)).toBe(input);
  });
});

describe('countryOf', () => {
  it.each([
    ['+442079460000', 'GB'],
    ['+441134960123', 'GB'],
    ['+12015550123', 'US'],
    ['+16135550123', 'CA'],
    ['+15550101234', 'US'],
  ])('when given %s, then returns %s', (e164, country) => {
    expect(countryOf(e164)).toBe(country);
  });

  it.each([['020 7946 0000'], ['+15550100'], ['+4402079460000'], ['']])(
    'when given %j, which is not a canonical possible E.164 number, then returns null',
    (input) => {
      expect(countryOf(input)).toBeNull();
    },
  );
});

describe('isE164', () => {
  it.each([
    ['+442079460000', true],
    ['+12015550123', true],
    ['+4420794', true],
    ['+44207946012345', true],
    ['+442079', false],
    ['+4420794601234567', false],
    ['+0442079460000', false],
    ['442079460000', false],
    ['+44 20 7946 0000', false],
    ['+44-2079460000', false],
    [' +442079460000', false],
    ['+442079460000\n', false],
    ['', false],
  ])('when given %j, then returns %s', (input, expected) => {
    expect(isE164(input)).toBe(expected);
  });
});
