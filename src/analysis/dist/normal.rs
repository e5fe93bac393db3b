//! The standard normal: its CDF (W. J. Cody's rational approximations), its quantile
//! (Wichura's AS 241) and the open unit interval of the samplers (`dist` module documentation).

// The published coefficient tables (Cody, Wichura) are kept digit for digit.
#![allow(clippy::excessive_precision)]

// ---------------------------------------------------------------------------------------------
// Standard normal
// ---------------------------------------------------------------------------------------------

pub(crate) const FRAC_1_SQRT_2PI: f64 = 0.398_942_280_401_432_677_939_946_059_934;
pub(crate) const SQRT_32: f64 = 5.656_854_249_492_380_195_206_754_896_84;

// W. J. Cody, "Rational Chebyshev approximations for the error function" (1969), in the
// arrangement of his ANORM routine (TOMS 715) / R's pnorm.c.
pub(crate) const CODY_A: [f64; 5] = [
    2.235_252_035_460_683_928_7,
    161.028_231_068_555_878_81,
    1_067.689_485_460_370_958_2,
    18_154.981_253_343_561_249,
    0.065_682_337_918_207_449_113,
];
pub(crate) const CODY_B: [f64; 4] = [
    47.202_581_904_688_241_87,
    976.098_551_737_776_693_22,
    10_260.932_208_618_978_205,
    45_507.789_335_026_729_956,
];
pub(crate) const CODY_C: [f64; 9] = [
    0.398_941_512_088_134_667_64,
    8.883_149_794_388_375_941_2,
    93.506_656_132_177_855_979,
    597.270_276_394_800_262_26,
    2_494.537_585_290_372_671_1,
    6_848.190_450_536_282_332_6,
    11_602.651_437_647_350_124,
    9_842.714_838_383_978_021_8,
    1.076_557_677_372_019_231_7e-8,
];
pub(crate) const CODY_D: [f64; 8] = [
    22.266_688_044_328_115_691,
    235.387_901_782_624_998_61,
    1_519.377_599_407_554_805,
    6_485.558_298_266_760_755,
    18_615.571_640_885_098_091,
    34_900.952_721_145_977_266,
    38_912.003_286_093_271_411,
    19_685.429_676_859_990_727,
];
pub(crate) const CODY_P: [f64; 6] = [
    0.215_898_534_057_956_99,
    0.127_401_161_160_247_363_9,
    0.022_235_277_870_649_807,
    0.001_421_619_193_227_893_466,
    2.911_287_495_116_879_2e-5,
    0.023_073_441_764_940_173_03,
];
pub(crate) const CODY_Q: [f64; 5] = [
    1.284_260_096_144_911_21,
    0.468_238_212_480_865_118,
    0.065_988_137_868_928_551_5,
    0.003_782_396_332_027_582_44,
    7.297_515_550_839_662_05e-5,
];

/// `x * x` as an exact sum `hi + lo` (Dekker's product with Veltkamp's split; no FMA needed).
#[inline]
pub(crate) fn two_square(x: f64) -> (f64, f64) {
    let hi = x * x;
    let c = 134_217_729.0 * x; // 2^27 + 1
    let xh = c - (c - x);
    let xl = x - xh;
    let lo = ((xh * xh - hi) + 2.0 * xh * xl) + xl * xl;
    (hi, lo)
}

/// `exp(-y^2 / 2)` to full relative precision (the rounding of `y^2` would cost `y^2 eps`).
#[inline]
pub(crate) fn gauss_kernel(y: f64) -> f64 {
    let (hi, lo) = two_square(y);
    (-0.5 * hi).exp() * (1.0 - 0.5 * lo)
}

/// Select without a branch (the conditions below are coin flips for random input, and a
/// mispredicted branch costs more than computing both sides).
#[inline(always)]
pub(crate) fn select(c: bool, a: f64, b: f64) -> f64 {
    let m = (c as u64).wrapping_neg();
    f64::from_bits((a.to_bits() & m) | (b.to_bits() & !m))
}

/// `x` with its sign flipped when `c`, without a branch.
#[inline(always)]
pub(crate) fn flip_sign_if(c: bool, x: f64) -> f64 {
    f64::from_bits(x.to_bits() ^ ((c as u64) << 63))
}

/// Standard normal CDF `Phi(x)`; relative error ~1e-15 (see the module doc). NaN gives NaN.
#[inline]
pub fn norm_cdf(x: f64) -> f64 {
    let y = x.abs();
    if y > SQRT_32 || y.is_nan() {
        return norm_cdf_far(x);
    }
    // |x| <= 0.674 (half of all standard normal draws): Phi(x) = 1/2 + x R(x^2).
    let xsq = x * x;
    let mut xnum = CODY_A[4] * xsq;
    let mut xden = xsq;
    for i in 0..3 {
        xnum = (xnum + CODY_A[i]) * xsq;
        xden = (xden + CODY_B[i]) * xsq;
    }
    let small = 0.5 + x * (xnum + CODY_A[3]) / (xden + CODY_B[3]);
    // 0.674 < |x| <= sqrt(32): the tail is exp(-x^2/2) R(|x|).
    let mut xnum = CODY_C[8] * y;
    let mut xden = y;
    for i in 0..7 {
        xnum = (xnum + CODY_C[i]) * y;
        xden = (xden + CODY_D[i]) * y;
    }
    let tail = (xnum + CODY_C[7]) / (xden + CODY_D[7]) * gauss_kernel(y);
    let mid = select(x > 0.0, 1.0 - tail, tail);
    select(y <= 0.674_489_75, small, mid)
}

/// `Phi(x)` for `|x| > sqrt(32)` (and NaN): Cody's asymptotic rational.
#[cold]
pub(crate) fn norm_cdf_far(x: f64) -> f64 {
    let y = x.abs();
    if y.is_nan() {
        return x;
    }
    if y >= 40.0 {
        return if x > 0.0 { 1.0 } else { 0.0 };
    }
    let xsq = 1.0 / (y * y);
    let mut xnum = CODY_P[5] * xsq;
    let mut xden = xsq;
    for i in 0..4 {
        xnum = (xnum + CODY_P[i]) * xsq;
        xden = (xden + CODY_Q[i]) * xsq;
    }
    let r = xsq * (xnum + CODY_P[4]) / (xden + CODY_Q[4]);
    let tail = (FRAC_1_SQRT_2PI - r) / y * gauss_kernel(y);
    if x > 0.0 {
        1.0 - tail
    } else {
        tail
    }
}

// M. J. Wichura, "Algorithm AS 241: The percentage points of the normal distribution",
// Applied Statistics 37 (1988) 477-484, PPND16.
pub(crate) const AS241_A: [f64; 8] = [
    3.387_132_872_796_366_608_0,
    133.141_667_891_784_377_45,
    1_971.590_950_306_551_442_7,
    13_731.693_765_509_461_125,
    45_921.953_931_549_871_457,
    67_265.770_927_008_700_853,
    33_430.575_583_588_128_105,
    2_509.080_928_730_122_672_7,
];
pub(crate) const AS241_B: [f64; 8] = [
    1.0,
    42.313_330_701_600_911_252,
    687.187_007_492_057_908_30,
    5_394.196_021_424_751_107_7,
    21_213.794_301_586_595_867,
    39_307.895_800_092_710_610,
    28_729.085_735_721_942_674,
    5_226.495_278_852_854_561_0,
];
pub(crate) const AS241_C: [f64; 8] = [
    1.423_437_110_749_683_577_34,
    4.630_337_846_156_545_295_90,
    5.769_497_221_460_691_405_50,
    3.647_848_324_763_204_605_04,
    1.270_458_252_452_368_382_58,
    0.241_780_725_177_450_611_770,
    0.022_723_844_989_269_184_583_3,
    7.745_450_142_783_414_076_40e-4,
];
pub(crate) const AS241_D: [f64; 8] = [
    1.0,
    2.053_191_626_637_758_821_87,
    1.676_384_830_183_803_849_40,
    0.689_767_334_985_100_004_550,
    0.148_103_976_427_480_074_590,
    0.015_198_666_563_616_457_196_6,
    5.475_938_084_995_344_946_00e-4,
    1.050_750_071_644_416_843_24e-9,
];
pub(crate) const AS241_E: [f64; 8] = [
    6.657_904_643_501_103_777_20,
    5.463_784_911_164_114_369_90,
    1.784_826_539_917_291_335_80,
    0.296_560_571_828_504_891_230,
    0.026_532_189_526_576_123_093_0,
    0.001_242_660_947_388_078_438_60,
    2.711_555_568_743_487_578_15e-5,
    2.010_334_399_292_288_132_65e-7,
];
pub(crate) const AS241_F: [f64; 8] = [
    1.0,
    0.599_832_206_555_887_937_690,
    0.136_929_880_922_735_805_310,
    0.014_875_361_290_850_614_852_5,
    7.868_691_311_456_132_591_00e-4,
    1.846_318_317_510_054_681_80e-5,
    1.421_511_758_316_445_888_70e-7,
    2.044_263_103_389_939_785_64e-15,
];

#[inline]
pub(crate) fn poly7(c: &[f64; 8], r: f64) -> f64 {
    ((((((c[7] * r + c[6]) * r + c[5]) * r + c[4]) * r + c[3]) * r + c[2]) * r + c[1]) * r + c[0]
}

/// Standard normal quantile `Phi^-1(p)` (Wichura's AS 241); `p <= 0` gives `-inf`, `p >= 1`
/// gives `+inf`, NaN gives NaN.
#[inline]
pub fn norm_quantile(p: f64) -> f64 {
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180_625 - q * q;
        return q * poly7(&AS241_A, r) / poly7(&AS241_B, r);
    }
    if p.is_nan() {
        return p;
    }
    let r = if q < 0.0 { p } else { 1.0 - p };
    if r <= 0.0 {
        return if q < 0.0 {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        };
    }
    let r = (-r.ln()).sqrt();
    let val = if r <= 5.0 {
        let r = r - 1.6;
        poly7(&AS241_C, r) / poly7(&AS241_D, r)
    } else {
        let r = r - 5.0;
        poly7(&AS241_E, r) / poly7(&AS241_F, r)
    };
    if q < 0.0 {
        -val
    } else {
        val
    }
}

/// A uniform in the open interval (0, 1) from 64 random bits: `(k + 1/2) 2^-52` with `k` the
/// top 52 bits, so `2^-53 <= u <= 1 - 2^-53`: never 0 or 1, symmetric about 1/2.
#[inline]
pub fn open_unit(bits: u64) -> f64 {
    ((bits >> 12) as f64 + 0.5) * (1.0 / (1u64 << 52) as f64)
}
