//! Element types as torch.profiler names them in `Input type` (`c10::BFloat16`, `float`,
//! `c10::Float8_e4m3fn`, `long int`…): their size, and the peak a GPU has for them.

use crate::catalog::PeakDtype;

/// An element type the roofline knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Dtype {
    /// `double`.
    F64,
    /// `float`.
    F32,
    /// `c10::BFloat16`.
    Bf16,
    /// `c10::Half`.
    F16,
    /// Every FP8 variant (`Float8_e4m3fn`, `e5m2`, the `fnuz` ones, `e8m0fnu` scales).
    F8,
    /// `c10::Float4_e2m1fn_x2`: two FP4 values per stored element (dims count the pairs).
    F4x2,
    /// `long int` (int64).
    I64,
    /// `int`.
    I32,
    /// `short int`.
    I16,
    /// `signed char`.
    I8,
    /// `unsigned char` (also FP8 KV caches stored as bytes).
    U8,
    /// `bool`.
    Bool,
    /// `c10::complex<float>`.
    C64,
    /// `c10::complex<double>`.
    C128,
}

impl Dtype {
    /// The type a recorded `Input type` names, if it is a tensor type the roofline knows.
    #[must_use]
    pub(crate) fn parse(name: &str) -> Option<Dtype> {
        Some(match name {
            "double" => Dtype::F64,
            "float" => Dtype::F32,
            "c10::BFloat16" => Dtype::Bf16,
            "c10::Half" => Dtype::F16,
            "c10::Float8_e4m3fn"
            | "c10::Float8_e5m2"
            | "c10::Float8_e4m3fnuz"
            | "c10::Float8_e5m2fnuz"
            | "c10::Float8_e8m0fnu" => Dtype::F8,
            "c10::Float4_e2m1fn_x2" => Dtype::F4x2,
            "long int" | "long" | "int64_t" => Dtype::I64,
            "int" => Dtype::I32,
            "short int" => Dtype::I16,
            "signed char" => Dtype::I8,
            "unsigned char" => Dtype::U8,
            "bool" => Dtype::Bool,
            "c10::complex<float>" => Dtype::C64,
            "c10::complex<double>" => Dtype::C128,
            _ => return None,
        })
    }

    /// The type of a `ScalarType` number as `Concrete Inputs` records it (`dtype=`
    /// arguments: 15 is BFloat16, 6 float…).
    #[must_use]
    pub(crate) fn from_scalar_type(n: i64) -> Option<Dtype> {
        Some(match n {
            0 => Dtype::U8,
            1 => Dtype::I8,
            2 => Dtype::I16,
            3 => Dtype::I32,
            4 => Dtype::I64,
            5 => Dtype::F16,
            6 => Dtype::F32,
            7 => Dtype::F64,
            9 => Dtype::C64,
            10 => Dtype::C128,
            11 => Dtype::Bool,
            15 => Dtype::Bf16,
            23..=26 => Dtype::F8,
            _ => return None,
        })
    }

    /// Bytes per stored element.
    #[must_use]
    pub(crate) fn bytes(self) -> f64 {
        match self {
            Dtype::F64 | Dtype::I64 | Dtype::C64 => 8.0,
            Dtype::C128 => 16.0,
            Dtype::F32 | Dtype::I32 => 4.0,
            Dtype::Bf16 | Dtype::F16 | Dtype::I16 => 2.0,
            Dtype::F8 | Dtype::F4x2 | Dtype::I8 | Dtype::U8 | Dtype::Bool => 1.0,
        }
    }

    /// Values per stored element (2 for packed FP4).
    #[must_use]
    pub(crate) fn values(self) -> u64 {
        if self == Dtype::F4x2 { 2 } else { 1 }
    }

    /// The GPU peak a matrix multiply on this type runs against (FP32 matmuls run on the
    /// FP32 units: PyTorch leaves TF32 off for them by default).
    #[must_use]
    pub(crate) fn matrix_peak(self) -> Option<PeakDtype> {
        Some(match self {
            Dtype::F64 => PeakDtype::Fp64,
            Dtype::F32 => PeakDtype::Fp32,
            Dtype::Bf16 => PeakDtype::Bf16,
            Dtype::F16 => PeakDtype::Fp16,
            Dtype::F8 => PeakDtype::Fp8,
            Dtype::F4x2 => PeakDtype::Fp4,
            Dtype::I8 | Dtype::U8 => PeakDtype::Int8,
            _ => return None,
        })
    }
}
