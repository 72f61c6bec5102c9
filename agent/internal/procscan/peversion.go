package procscan

import (
	"bytes"
	"debug/pe"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

// VersionFromExe reads the release of a product from its executable's
// version resource (VS_FIXEDFILEINFO's product version), as on Windows,
// and gives it the name the product is sold under: AutoCAD's internal
// release R25.0 is AutoCAD 2025 (autocadReleases), a product whose major
// version is a two-digit year (Revit 25.x) is 2025, one whose major is the
// year (2025.1) is kept. It fails for a file that is no PE image or has no
// version resource; Scan then falls back to the install folder's name.
func VersionFromExe(path, product string) (string, error) {
	f, err := pe.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	ms, err := fixedProductVersion(f)
	if err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	major, minor := ms>>16, ms&0xffff
	if strings.EqualFold(product, "AutoCAD") {
		if year, ok := autocadReleases[[2]uint32{major, minor}]; ok {
			return year, nil
		}
		return "", fmt.Errorf("%s: AutoCAD release R%d.%d is not a known one", path, major, minor)
	}
	switch {
	case major >= 2000 && major < 2100:
		if minor == 0 {
			return fmt.Sprint(major), nil
		}
		return fmt.Sprintf("%d.%d", major, minor), nil
	case major >= 10 && major < 100:
		return fmt.Sprint(2000 + major), nil
	}
	return "", fmt.Errorf("%s: product version %d.%d names no release year", path, major, minor)
}

// autocadReleases maps AutoCAD's internal release numbers (the product
// version of acad.exe) to the marketing year.
var autocadReleases = map[[2]uint32]string{
	{20, 0}: "2015", {20, 1}: "2016", {21, 0}: "2017", {22, 0}: "2018",
	{23, 0}: "2019", {23, 1}: "2020", {24, 0}: "2021", {24, 1}: "2022",
	{24, 2}: "2023", {24, 3}: "2024", {25, 0}: "2025", {25, 1}: "2026",
}

const rtVersion = 16

// fixedProductVersion finds the RT_VERSION resource of f and returns
// dwProductVersionMS (major<<16 | minor) of its VS_FIXEDFILEINFO.
func fixedProductVersion(f *pe.File) (uint32, error) {
	sec := f.Section(".rsrc")
	if sec == nil {
		return 0, errors.New("no resource section")
	}
	data, err := sec.Data()
	if err != nil {
		return 0, err
	}
	// The resource tree: type → name → language → data entry.
	entry := func(dirOff uint32, id uint32, any bool) (uint32, bool) {
		if int(dirOff)+16 > len(data) {
			return 0, false
		}
		named := binary.LittleEndian.Uint16(data[dirOff+12:])
		ids := binary.LittleEndian.Uint16(data[dirOff+14:])
		for i := uint32(0); i < uint32(named)+uint32(ids); i++ {
			e := dirOff + 16 + 8*i
			if int(e)+8 > len(data) {
				return 0, false
			}
			name := binary.LittleEndian.Uint32(data[e:])
			off := binary.LittleEndian.Uint32(data[e+4:])
			if any || (name&0x80000000 == 0 && name == id) {
				return off, true
			}
		}
		return 0, false
	}
	off, ok := entry(0, rtVersion, false)
	for level := 0; ok && off&0x80000000 != 0 && level < 3; level++ {
		off, ok = entry(off&0x7fffffff, 0, true)
	}
	if !ok || off&0x80000000 != 0 || int(off)+16 > len(data) {
		return 0, errors.New("no version resource")
	}
	rva := binary.LittleEndian.Uint32(data[off:])
	size := binary.LittleEndian.Uint32(data[off+4:])
	start := int64(rva) - int64(sec.VirtualAddress)
	if start < 0 || start+int64(size) > int64(len(data)) {
		return 0, errors.New("version resource outside its section")
	}
	info := data[start : start+int64(size)]
	// VS_FIXEDFILEINFO starts with its signature, after the
	// "VS_VERSION_INFO" key: find it rather than walk the padding.
	sig := []byte{0xbd, 0x04, 0xef, 0xfe}
	i := bytes.Index(info, sig)
	if i < 0 || i+24 > len(info) {
		return 0, errors.New("version resource without VS_FIXEDFILEINFO")
	}
	return binary.LittleEndian.Uint32(info[i+16:]), nil
}
